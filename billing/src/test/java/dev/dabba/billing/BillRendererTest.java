package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dabba.record.CallType;
import dev.dabba.record.Msisdn;
import dev.dabba.record.Usage;
import dev.dabba.record.UsageRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillRendererTest {

    private final Bill bill = SeedScenario.bill(3);

    @Test
    void updateJson_isTheBillsJson_withOnlyTheChangedLines_andTheLineCount() throws Exception {
        Bill bill = SeedScenario.bill(24);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode whole = mapper.readTree(BillRenderer.json(bill));

        JsonNode update = mapper.readTree(BillRenderer.updateJson(bill, new int[] {2, 5}));

        assertThat(update.get("lineCount").asInt()).isEqualTo(6);
        assertThat(update.get("changedLines")).containsExactly(whole.get("lines").get(1), whole.get("lines").get(4));
        com.fasterxml.jackson.databind.node.ObjectNode header = whole.deepCopy();
        header.remove("lines");
        com.fasterxml.jackson.databind.node.ObjectNode rest = update.deepCopy();
        rest.remove(List.of("lineCount", "changedLines"));
        assertThat(rest).isEqualTo(header);
        assertThat(mapper.readTree(BillRenderer.updateJson(bill, new int[0])).get("changedLines")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BillRenderer.updateJson(bill, new int[] {7}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("changed position 7");
    }

    @Test
    void table_showsHeaderLinesInCausalOrderAndTotals() {
        String table = BillRenderer.table(bill);

        assertThat(table).contains("Bill +919876543210", "cycle 2025-03", "version 3", "PROVISIONAL",
                "tariff seed-default", "6 events in causal order");
        assertThat(table).containsSubsequence("MUMBAI_BKC", "CALL VOICE", "180 s", "+919876543211", "Rs 1.80",
                "{MUMBAI_BKC:1}");
        assertThat(table).containsSubsequence("CALL VOICE", "DATA 4G", "CALL VIDEO", "DATA 4G", "CALL VOLTE",
                "DATA 5G");
        assertThat(table).contains("{MUMBAI_ANDHERI:1, MUMBAI_BKC:2}", "200.00 MiB");
        assertThat(table).containsPattern("Calls +Rs 8\\.40")
                .containsPattern("SMS +Rs 0\\.00")
                .containsPattern("Data +Rs 13\\.50")
                .containsPattern("Total +Rs 21\\.90");
    }

    @Test
    void table_alignsColumns_andEndsLinesWithoutTrailingSpaces() {
        String[] lines = BillRenderer.table(bill).split("\n");

        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            assertThat(line).doesNotEndWith(" ");
            if (line.contains("MUMBAI_")) {
                rows.add(line);
            }
        }
        assertThat(rows).hasSize(6);
        int amountColumn = rows.get(0).indexOf("{") - 2;
        assertThat(rows).allSatisfy(row -> assertThat(row.indexOf("{") - 2).isEqualTo(amountColumn));
    }

    @Test
    void json_carriesMoneyAsStringsAndPaisa_neverFloats() throws Exception {
        String json = BillRenderer.json(bill);

        assertThat(json).contains("\"total\":\"21.90\"", "\"totalPaisa\":2190", "\"calls\":\"8.40\"",
                "\"data\":\"13.50\"", "\"sms\":\"0.00\"");
        JsonNode root = new ObjectMapper().readTree(json);
        assertThat(root.get("subscriber").asText()).isEqualTo("+919876543210");
        assertThat(root.get("version").asLong()).isEqualTo(3);
        assertThat(root.get("lines")).hasSize(6);
        JsonNode first = root.get("lines").get(0);
        assertThat(first.get("eventId").asText()).isEqualTo("MUMBAI_BKC#1");
        assertThat(first.get("amount").asText()).isEqualTo("1.80");
        assertThat(first.get("amountPaisa").asLong()).isEqualTo(180);
        assertThat(first.get("exactPaisa").isTextual()).isTrue();
        assertThat(first.get("clock").get("MUMBAI_BKC").asLong()).isEqualTo(1);
        assertThat(first.get("quantity").get("text").asText()).isEqualTo("180 s");
        assertThat(root.get("lines").get(1).get("counterparty").isNull()).isTrue();
        assertThat(containsFloat(root)).as("no JSON number in %s is a float", json).isFalse();
    }

    @Test
    void json_keepsFractionalExactAmountsAsDecimalStrings() throws Exception {
        Towers towers = new Towers();
        UsageRecord record = towers.stamp(SeedScenario.BKC, SeedScenario.USER, SeedScenario.T0,
                new Usage.Call(Msisdn.of("+91-9876543211"), CallType.VOLTE, 121));
        Bill volte = Bill.compute(SeedScenario.USER, SeedScenario.CYCLE, 1, BillStatus.FINAL, List.of(record),
                Tariff.seedDefault(), SeedScenario.T0);

        JsonNode line = new ObjectMapper().readTree(BillRenderer.json(volte)).get("lines").get(0);

        assertThat(line.get("exactPaisa").asText()).isEqualTo("60.5");
        assertThat(line.get("amount").asText()).isEqualTo("0.61");
    }

    @Test
    void theStreamJobsLineFlags_areShownInTheTable_andCarriedInJsonAndCsv() throws Exception {
        List<UsageRecord> records = SeedScenario.records();
        Bill flagged = Bill.compute(SeedScenario.USER, SeedScenario.CYCLE, 22, BillStatus.PROVISIONAL, records,
                Tariff.seedDefault(), SeedScenario.at(9), new LineMarks() {
                    @Override
                    public String missingDependencies(dev.dabba.record.EventId record) {
                        return record.equals(records.get(2).id()) ? "MUMBAI_BKC:2-2" : null;
                    }

                    @Override
                    public boolean cloneSuspect(dev.dabba.record.EventId record) {
                        return record.equals(records.get(5).id());
                    }
                });

        assertThat(BillRenderer.table(flagged)).contains("Flags", "incomplete (missing MUMBAI_BKC:2-2)",
                "clone suspect");
        JsonNode json = new ObjectMapper().readTree(BillRenderer.json(flagged));
        assertThat(json.at("/lines/2/releasedIncomplete").asBoolean()).isTrue();
        assertThat(json.at("/lines/2/missingDependencies").asText()).isEqualTo("MUMBAI_BKC:2-2");
        assertThat(json.at("/lines/0/missingDependencies").isNull()).isTrue();
        assertThat(json.at("/lines/5/cloneSuspect").asBoolean()).isTrue();
        assertThat(BillRenderer.csv(flagged).lines().findFirst().orElseThrow())
                .endsWith("missing_dependencies,clone_suspect");
    }

    @Test
    void render_dispatchesOnFormat() {
        assertThat(BillRenderer.render(bill, BillFormat.TABLE)).isEqualTo(BillRenderer.table(bill));
        assertThat(BillRenderer.render(bill, BillFormat.JSON)).isEqualTo(BillRenderer.json(bill) + "\n");
    }

    private static boolean containsFloat(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return true;
        }
        for (JsonNode child : node) {
            if (containsFloat(child)) {
                return true;
            }
        }
        return false;
    }
}
