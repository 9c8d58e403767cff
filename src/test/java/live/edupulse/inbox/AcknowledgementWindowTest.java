package live.edupulse.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcknowledgementWindowTest {

    private final List<Long> sent = new ArrayList<>();
    private final AcknowledgementWindow window = new AcknowledgementWindow(sent::add);

    private void receive(long... tags) {
        for (long tag : tags) {
            window.received(tag);
        }
    }

    @Test
    void aBatchDecidedInArrivalOrderIsAcknowledgedUpToItsLastDelivery() throws Exception {
        receive(1, 2, 3);
        window.decided(List.of(1L, 2L, 3L));
        assertEquals(List.of(3L), sent);
        assertEquals(0, window.undecided());
    }

    @Test
    void aLaterBatchWaitsForAnEarlierOneStillBeingDecided() throws Exception {
        receive(1, 2, 3, 4, 5, 6);
        window.decided(List.of(2L, 4L, 6L)); // one partition's batch commits first
        assertEquals(List.of(), sent, "tags 1, 3 and 5 are not decided: nothing may be covered yet");
        window.decided(List.of(1L, 3L)); // the other partition's first batch
        assertEquals(List.of(4L), sent, "up to the lowest undecided delivery (5)");
        window.decided(List.of(5L));
        assertEquals(List.of(4L, 6L), sent);
    }

    @Test
    void aDeliverySettledOnItsOwnIsNeverTheTagOfAMultipleAcknowledgementButReleasesTheOthers() throws Exception {
        receive(1, 2, 3);
        window.decided(List.of(2L, 3L));
        assertEquals(List.of(), sent);
        window.settledAlone(1); // rejected or acknowledged by itself
        assertEquals(List.of(3L), sent);
        window.settledAlone(4); // never received through the window: changes nothing
        assertEquals(List.of(3L), sent);
    }

    @Test
    void aDeliveryNeverDecidedHoldsBackEverythingAfterIt() throws Exception {
        receive(1, 2, 3, 4);
        window.decided(List.of(1L));
        window.decided(List.of(3L, 4L)); // 2 is never decided: the application stopped
        assertEquals(List.of(1L), sent);
        assertEquals(1, window.undecided());
    }

    @Test
    void acknowledgementsGoOutInTheOrderOfTheirTags() throws Exception {
        receive(1, 2, 3, 4, 5);
        window.decided(List.of(1L));
        window.decided(List.of(3L));
        window.decided(List.of(2L));
        window.decided(List.of(5L, 4L));
        assertEquals(List.of(1L, 3L, 5L), sent);
    }
}
