package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dabba.record.CausalOrder;
import dev.dabba.record.Msisdn;
import dev.dabba.record.RadioType;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The bill web page in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium): a person types
 * the token and a subscriber and sees the bill, its causal timeline, handovers and concurrency flags.
 *
 * <p>Skipped, with the reason and the install command shown, where Chromium is not installed
 * ({@code apt-get install -y chromium chromium-driver}).
 */
class WebPageIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Msisdn CLONED = Msisdn.of("+91-9000000099");

    private static DataSource dataSource;
    private static String schema;
    private static BillServer server;

    private WebDriver driver;

    @BeforeAll
    static void start() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed) {
            System.err.println("WebPageIT SKIPPED: Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "); install it with: apt-get install -y chromium chromium-driver");
        }
        assumeTrue(installed, "Chromium is not installed at " + CHROMIUM + " / " + CHROMEDRIVER
                + "; install it with: apt-get install -y chromium chromium-driver");
        dataSource = TestDatabases.embedded().getPostgresDatabase();
        schema = TestDatabases.uniqueSchema();
        BillStore store = new BillStore(dataSource, schema);
        store.migrate();
        store.upsert(SeedScenario.bill(6));
        // A cloned SIM: two towers bill the same subscriber and neither knows of the other's sessions.
        Tariff plan = Tariff.seedDefault().toBuilder()
                .bundle(new Bundle("data-100m", Set.of(Service.data(RadioType.G4)), 100 * SeedScenario.MIB)).build();
        Towers towers = new Towers();
        UsageRecord bkc = towers.stamp(SeedScenario.BKC, CLONED, SeedScenario.T0.plusSeconds(10),
                new Usage.Data(RadioType.G4, 0, 80 * SeedScenario.MIB));
        UsageRecord dadar = towers.stamp(SeedScenario.DADAR, CLONED, SeedScenario.T0.plusSeconds(5),
                new Usage.Data(RadioType.G4, 0, 80 * SeedScenario.MIB));
        store.upsert(Bill.compute(CLONED, SeedScenario.CYCLE, 2, BillStatus.PROVISIONAL,
                CausalOrder.sort(List.of(bkc, dadar)), plan, SeedScenario.at(30)));
        server = BillServer.start(BillServer.Config.loopback(0, dataSource, BillServerIT.TOKEN).withSchema(schema));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            TestDatabases.dropSchema(dataSource, schema);
        }
    }

    @BeforeEach
    void openBrowser(@TempDir Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1600", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.get(server.uri().toString());
    }

    @AfterEach
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    private void lookUp(String token, String subscriber, String cycle) {
        driver.findElement(By.id("token")).clear();
        driver.findElement(By.id("token")).sendKeys(token);
        driver.findElement(By.id("subscriber")).clear();
        driver.findElement(By.id("subscriber")).sendKeys(subscriber);
        driver.findElement(By.id("cycle")).clear();
        driver.findElement(By.id("cycle")).sendKeys(cycle);
        driver.findElement(By.id("show")).click();
    }

    @Test
    void seedBill_showsRs2190AndTheCausalTimelineWithHandovers() throws Exception {
        lookUp(BillServerIT.TOKEN, "+91-9876543210", "2025-03");

        waiting().until(ExpectedConditions.textToBe(By.id("total"), "Rs 21.90"));
        assertThat(driver.findElement(By.id("calls")).getText()).isEqualTo("Rs 8.40");
        assertThat(driver.findElement(By.id("data")).getText()).isEqualTo("Rs 13.50");
        List<WebElement> events = driver.findElements(By.cssSelector("#timeline li.event"));
        assertThat(events).extracting(e -> e.findElement(By.className("tower")).getText()).containsExactly(
                "MUMBAI_BKC", "MUMBAI_BKC", "MUMBAI_ANDHERI", "MUMBAI_ANDHERI", "MUMBAI_BANDRA", "MUMBAI_BANDRA");
        assertThat(events.get(2).findElement(By.className("clock")).getText())
                .isEqualTo("{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}");
        assertThat(driver.findElements(By.cssSelector("#timeline li.event.concurrent"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#timeline li.link.handover"))).extracting(WebElement::getText)
                .containsExactly("\u2193 happened after #2 (handover MUMBAI_BKC \u2192 MUMBAI_ANDHERI)",
                        "\u2193 happened after #4 (handover MUMBAI_ANDHERI \u2192 MUMBAI_BANDRA)");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("versions"), "Version 6"));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "web-page-seed-bill.png"),
                ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void concurrentRecords_areFlagged_andTheBundleBreakdownShown() {
        lookUp(BillServerIT.TOKEN, CLONED.value(), "");

        waiting().until(ExpectedConditions.textToBe(By.id("total"), "Rs 3.00"));
        assertThat(driver.findElements(By.cssSelector("#timeline li.event.concurrent"))).hasSize(2);
        assertThat(driver.findElement(By.cssSelector("#timeline li.link.concurrent")).getText())
                .startsWith("\u2225 concurrent with #1");
        assertThat(driver.findElement(By.cssSelector("#bundles tbody")).getText()).contains("data-100m");
        WebElement breakdown = driver.findElements(By.cssSelector("#timeline li.event")).get(1)
                .findElement(By.tagName("details"));
        breakdown.click();
        assertThat(breakdown.getText()).contains("data-100m").contains("2 segments");
    }

    @Test
    void wrongToken_showsTheApisRefusal_andNoBill() {
        lookUp("not-the-token-at-all", "+91-9876543210", "2025-03");

        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "401"));
        assertThat(driver.findElement(By.id("status")).getText()).contains("invalid_token");
        assertThat(driver.findElement(By.id("bill")).isDisplayed()).isFalse();
    }

    @Test
    void listingBills_andClickingOne_showsIt() {
        driver.findElement(By.id("token")).sendKeys(BillServerIT.TOKEN);
        driver.findElement(By.id("list")).click();

        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#bill-list tbody tr"), 2));
        driver.findElement(By.cssSelector("#bill-list tbody tr[data-subscriber='+919876543210']")).click();

        waiting().until(ExpectedConditions.textToBe(By.id("total"), "Rs 21.90"));
    }
}
