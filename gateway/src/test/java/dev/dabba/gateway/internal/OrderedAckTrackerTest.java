package dev.dabba.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrderedAckTrackerTest {

    private final List<Integer> acked = Collections.synchronizedList(new ArrayList<>());
    private final OrderedAckTracker tracker = new OrderedAckTracker(d -> acked.add(d.messageId()));

    @Test
    void acknowledgesInArrivalOrder_whenKafkaAcknowledgesTheLaterMessageFirst() {
        OrderedAckTracker.Delivery first = tracker.arrived(10, 1);
        OrderedAckTracker.Delivery second = tracker.arrived(11, 1);
        first.expect(2);
        second.expect(1);

        second.recordAcknowledged();
        assertThat(acked).as("message 11 is done but 10 arrived first").isEmpty();
        first.recordAcknowledged();
        assertThat(acked).isEmpty();
        first.recordAcknowledged();
        assertThat(acked).containsExactly(10, 11);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void holdsAMessage_untilEveryOneOfItsRecordsIsAcknowledged() {
        OrderedAckTracker.Delivery d = tracker.arrived(1, 1);
        d.expect(3);
        d.recordAcknowledged();
        d.recordAcknowledged();
        assertThat(acked).isEmpty();
        d.recordAcknowledged();
        assertThat(acked).containsExactly(1);
    }

    @Test
    void messageWithNoRecords_isReleasedAtOnce_butNotBeforeEarlierOnes() {
        OrderedAckTracker.Delivery first = tracker.arrived(1, 1);
        OrderedAckTracker.Delivery empty = tracker.arrived(2, 1);
        empty.expect(0);
        assertThat(acked).isEmpty();
        first.expect(1);
        first.recordAcknowledged();
        assertThat(acked).containsExactly(1, 2);
    }

    @Test
    void messageNotYetTranslated_blocksLaterOnes() {
        tracker.arrived(1, 1);
        OrderedAckTracker.Delivery second = tracker.arrived(2, 1);
        second.expect(1);
        second.recordAcknowledged();
        assertThat(acked).isEmpty();
        assertThat(tracker.inFlight()).isEqualTo(2);
    }

    @Test
    void closedTracker_releasesNothing() {
        OrderedAckTracker.Delivery d = tracker.arrived(1, 1);
        d.expect(1);
        tracker.close();
        d.recordAcknowledged();
        assertThat(acked).isEmpty();
    }

    @Test
    void rejectsMoreAcknowledgementsThanRecords_andAcknowledgementsBeforeTheCount() {
        OrderedAckTracker.Delivery early = tracker.arrived(1, 1);
        assertThatThrownBy(early::recordAcknowledged).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before its count was set");
        early.expect(1);
        early.recordAcknowledged();
        assertThatThrownBy(early::recordAcknowledged).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more records");
        assertThatThrownBy(() -> early.expect(2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void awaitHandedOut_ignoresMessagesNeverHandedToKafka() throws InterruptedException {
        OrderedAckTracker.Delivery sent = tracker.arrived(1, 1);
        tracker.arrived(2, 1); // still in the inbox
        sent.expect(1);
        assertThat(tracker.awaitHandedOut(Duration.ZERO)).isFalse();
        sent.recordAcknowledged();
        assertThat(tracker.awaitHandedOut(Duration.ZERO)).isTrue();
    }

    @Test
    void randomAcknowledgementOrderFromManyThreads_stillReleasesInArrivalOrder() throws Exception {
        int messages = 2_000;
        List<OrderedAckTracker.Delivery> deliveries = new ArrayList<>();
        List<OrderedAckTracker.Delivery> acks = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < messages; i++) {
            OrderedAckTracker.Delivery d = tracker.arrived(i + 1, 1);
            int records = random.nextInt(4);
            d.expect(records);
            deliveries.add(d);
            for (int r = 0; r < records; r++) {
                acks.add(d);
            }
        }
        Collections.shuffle(acks, random);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(acks.size());
        for (OrderedAckTracker.Delivery d : acks) {
            pool.execute(() -> {
                d.recordAcknowledged();
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            expected.add(i);
        }
        assertThat(acked).containsExactlyElementsOf(expected);
        assertThat(tracker.released()).isEqualTo(messages);
    }
}
