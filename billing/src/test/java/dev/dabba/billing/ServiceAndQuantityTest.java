package dev.dabba.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dabba.record.CallType;
import dev.dabba.record.RadioType;
import org.junit.jupiter.api.Test;

class ServiceAndQuantityTest {

    @Test
    void serviceLabels_roundTrip() {
        assertThat(Service.call(CallType.VOLTE).label()).isEqualTo("CALL VOLTE");
        assertThat(Service.data(RadioType.G4).label()).isEqualTo("DATA 4G");
        assertThat(Service.sms().label()).isEqualTo("SMS");
        for (String label : new String[] {"CALL VOICE", "CALL VIDEO", "SMS", "DATA 3G", "DATA 5G"}) {
            assertThat(Service.parse(label).label()).isEqualTo(label);
        }
    }

    @Test
    void serviceParse_rejectsUnknownLabels_quotingThem() {
        assertThatThrownBy(() -> Service.parse("FAX")).hasMessageContaining("'FAX'");
        assertThatThrownBy(() -> Service.parse("CALL HOLO")).hasMessageContaining("VOICE, VIDEO, VOLTE")
                .hasMessageContaining("'HOLO'");
        assertThatThrownBy(() -> Service.parse("DATA 6G")).hasMessageContaining("radio type");
    }

    @Test
    void quantity_printsInItsUnit() {
        assertThat(Quantity.seconds(180)).hasToString("180 s");
        assertThat(Quantity.messages(1)).hasToString("1 sms");
        assertThat(Quantity.bytes(50 * Tariff.BYTES_PER_MIB)).hasToString("50.00 MiB");
        assertThat(Quantity.bytes(0)).hasToString("0.00 MiB");
        assertThat(Quantity.bytes(5000)).hasToString("5000 B");
        assertThat(Quantity.bytes(10486)).hasToString("0.01 MiB");
    }

    @Test
    void quantity_rejectsNegativeAmounts_namingTheField() {
        assertThatThrownBy(() -> Quantity.seconds(-1)).hasMessageContaining("quantity amount").hasMessageContaining("-1");
    }
}
