package dev.dabba.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.clock.Epoch;
import dev.dabba.clock.NodeId;
import dev.dabba.clock.NodeTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The job's small value types, serializers, settings and options. */
class SmallPartsTest {

    @TempDir
    Path dir;

    @Test
    void towerDirectory_readsAFile_andMeasuresGreatCircleDistances() throws IOException {
        Path file = dir.resolve("towers.csv");
        Files.writeString(file, "# id,lat,lon\nMUMBAI_BKC,19.0660,72.8656\n\nPUNE_HINJEWADI, 18.5912, 73.7389\n");

        TowerDirectory towers = TowerDirectory.read(file);

        assertThat(towers.size()).isEqualTo(2);
        assertThat(towers.distanceKm("MUMBAI_BKC", "PUNE_HINJEWADI").getAsDouble()).isBetween(100.0, 110.0);
        assertThat(towers.distanceKm("MUMBAI_BKC", "NOWHERE")).isEmpty();
        assertThat(TowerDirectory.seedTowers().distanceKm("MUMBAI_ANDHERI", "MUMBAI_DADAR").getAsDouble())
                .isBetween(10.0, 13.0);
    }

    @Test
    void towerDirectory_namesTheLineOfABadEntry() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "MUMBAI_BKC,19.0660,72.8656\nMUMBAI_X,91,72\n");
        assertThatThrownBy(() -> TowerDirectory.read(file)).hasMessageContaining("line 2")
                .hasMessageContaining("latitude");
    }

    @Test
    void billVersions_riseWithEveryChange() {
        assertThat(BillVersions.of(1, 1, false)).isEqualTo(2);
        assertThat(BillVersions.of(1, 0, false)).isEqualTo(4);
        assertThat(BillVersions.of(1, 0, true)).isEqualTo(5);
        assertThat(BillVersions.of(2, 1, true)).isGreaterThan(BillVersions.of(1, 0, true));
        assertThatThrownBy(() -> BillVersions.of(1, 2, false)).hasMessageContaining("incomplete");
    }

    @Test
    void frontierAdvance_serializer_writesVersion1_fieldByField() throws IOException {
        FrontierAdvance a = new FrontierAdvance("N", 5, SequenceRanges.EMPTY.with(2));
        DataOutputSerializer out = new DataOutputSerializer(32);
        FrontierAdvance.Serializer.INSTANCE.serialize(a, out);
        assertThat(out.getCopyOfBuffer()).containsExactly(
                1,                                  // format version
                0, 1, 'N',                          // node: UTF length 1, "N"
                0, 0, 0, 0, 0, 0, 0, 5,             // prefix 5
                0, 0, 0, 2,                         // 2 lost bounds
                0, 0, 0, 0, 0, 0, 0, 2,             //   from 2
                0, 0, 0, 0, 0, 0, 0, 2);            //   to 2
        assertThat(FrontierAdvance.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(a);
    }

    @Test
    void stateSerializers_roundTrip_andRefuseUnknownVersions() throws IOException {
        NodeFrontier f = NodeFrontier.EMPTY.receive(1, 0).receive(3, 5).giveUpGap(10, 4).receive(2, 11).receive(5, 12)
                .receive(7, 12).receive(9, 13);
        DataOutputSerializer out = new DataOutputSerializer(64);
        NodeFrontier.Serializer.INSTANCE.serialize(f, out);
        assertThat(NodeFrontier.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(f);

        // Version 1 (written until 2026-12-07: bounds as longs) is still read, so older checkpoints restore.
        DataOutputSerializer v1 = new DataOutputSerializer(64);
        v1.writeByte(1);
        v1.writeLong(f.prefix());
        VersionedSerializer.writeLongs(v1, f.received().bounds());
        VersionedSerializer.writeLongs(v1, f.lost().bounds());
        v1.writeLong(f.gapSince());
        v1.writeBoolean(f.unannounced());
        assertThat(NodeFrontier.Serializer.INSTANCE.deserialize(new DataInputDeserializer(v1.getCopyOfBuffer())))
                .isEqualTo(f);
        assertThat(out.length()).as("version 2 is the smaller").isLessThan(v1.length());

        Epoch e = Epoch.of(3, NodeTable.of(List.of(NodeId.of("A"), NodeId.of("B"))), new long[] {4, 0});
        DataOutputSerializer eo = new DataOutputSerializer(64);
        EpochSerializer.INSTANCE.serialize(e, eo);
        assertThat(EpochSerializer.INSTANCE.deserialize(new DataInputDeserializer(eo.getCopyOfBuffer())))
                .isEqualTo(e);

        byte[] future = out.getCopyOfBuffer();
        future[0] = 9;
        assertThatThrownBy(() -> NodeFrontier.Serializer.INSTANCE.deserialize(new DataInputDeserializer(future)))
                .hasMessageContaining("found 9");
    }

    @Test
    void settings_checkEveryValue_namingIt() {
        assertThatThrownBy(() -> JobSettings.builder().maxCausalWait(Duration.ZERO).build())
                .hasMessageContaining("maxCausalWait");
        assertThatThrownBy(() -> JobSettings.builder().causalRecheck(Duration.ofMinutes(5)).build())
                .hasMessageContaining("causalRecheck");
        assertThatThrownBy(() -> JobSettings.builder().cloneDistanceKm(Double.NaN).build())
                .hasMessageContaining("cloneDistanceKm");
        assertThat(JobSettings.defaults().toBuilder().build().maxCausalWait()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void main_parsesItsOptions() {
        BillingJobMain main = new BillingJobMain();
        new CommandLine(main).parseArgs("--bootstrap-servers", "k:9092", "--jdbc-url", "jdbc:postgresql://h/db",
                "--max-causal-wait", "PT45S", "--epoch-interval", "PT1M", "--grace", "PT12H");
        assertThat(main.maxCausalWait).isEqualTo(Duration.ofSeconds(45));
        assertThat(main.epochInterval).isEqualTo(Duration.ofMinutes(1));
        assertThat(main.grace).isEqualTo(Duration.ofHours(12));
        assertThat(main.groupId).isEqualTo("dabba-billing");
    }
}
