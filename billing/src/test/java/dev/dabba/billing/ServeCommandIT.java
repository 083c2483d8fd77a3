package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code serve} command: reads its token file, serves the store, stops when told. */
class ServeCommandIT {

    @TempDir
    Path dir;

    @Test
    void serve_servesTheStoreWithTheTokenFromTheFile_untilStopped() throws Exception {
        DataSource ds = TestDatabases.embedded().getPostgresDatabase();
        String schema = TestDatabases.uniqueSchema();
        new BillStore(ds, schema).migrate();
        new BillStore(ds, schema).upsert(SeedScenario.bill(3));
        Path tokenFile = Files.writeString(dir.resolve("token"), BillServerIT.TOKEN + "\n# comment line\n");
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<URI> started = new CompletableFuture<>();
        Writer out = new StringWriter() {
            @Override
            public void flush() {
                Matcher m = Pattern.compile("at (http://\\S+/) ").matcher(toString());
                if (m.find()) {
                    started.complete(URI.create(m.group(1)));
                }
            }
        };
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new ServeCommand(ds, stop).commandLine()
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(new StringWriter()))
                .execute("--port", "0", "--token-file", tokenFile.toString(), "--schema", schema));
        try {
            URI base = started.get(30, TimeUnit.SECONDS);
            HttpResponse<String> bill = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    base.resolve("api/v1/subscribers/%2B919876543210/bills/latest"))
                    .header("Authorization", "Bearer " + BillServerIT.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(bill.statusCode()).isEqualTo(200);
            assertThat(bill.body()).contains("\"total\":\"21.90\"");
        } finally {
            stop.countDown();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            TestDatabases.dropSchema(ds, schema);
        }
    }

    @Test
    void shortOrMissingTokenFile_exits2_namingTheOption() throws Exception {
        DataSource ds = TestDatabases.embedded().getPostgresDatabase();
        Path shortToken = Files.writeString(dir.resolve("short"), "abc\n");
        StringWriter err = new StringWriter();

        int tooShort = new ServeCommand(ds, new CountDownLatch(0)).commandLine().setErr(new PrintWriter(err))
                .execute("--token-file", shortToken.toString());
        int missing = new ServeCommand(ds, new CountDownLatch(0)).commandLine().setErr(new PrintWriter(err))
                .execute("--token-file", dir.resolve("none").toString());
        int absent = new ServeCommand(ds, new CountDownLatch(0)).commandLine().setErr(new PrintWriter(err))
                .execute();

        assertThat(tooShort).isEqualTo(2);
        assertThat(missing).isEqualTo(2);
        assertThat(absent).isEqualTo(2);
        assertThat(err.toString()).contains("--token-file", "at least 16", "cannot read");
    }
}
