package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Requests take the API's slots in arrival order; a wait that is no work gives its slot up; nobody waits forever. */
class RequestSlotsTest {

    @Test
    void requestsPastTheSlotsWaitInArrivalOrder() throws Exception {
        RequestSlots slots = new RequestSlots(1, Duration.ofSeconds(10));
        slots.enter();
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            Thread t = request(slots, () -> order.add(n));
            waitUntil(() -> slots.waiting() == n + 1); // each in line before the next arrives
            waiting.add(t);
        }
        assertThat(order).as("none runs while the only slot is held").isEmpty();
        slots.leave();
        for (Thread t : waiting) {
            t.join(5000);
        }
        assertThat(order).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aRequestThatWaitsForTheReaderLetsAnotherWork() throws Exception {
        RequestSlots slots = new RequestSlots(1, Duration.ofSeconds(10));
        slots.enter();
        CountDownLatch otherWorked = new CountDownLatch(1);
        try (RequestSlots.Away away = RequestSlots.stepOut()) {
            request(slots, otherWorked::countDown);
            assertThat(otherWorked.await(5, TimeUnit.SECONDS)).as("the slot was free while this thread waited").isTrue();
        }
        assertThat(slots.waiting()).isZero();
        CountDownLatch blocked = new CountDownLatch(1);
        request(slots, blocked::countDown);
        assertThat(blocked.await(200, TimeUnit.MILLISECONDS)).as("back from the wait, this thread holds the slot again").isFalse();
        slots.leave();
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
        try (RequestSlots.Away outsideAnySlot = RequestSlots.stepOut()) {
            assertThat(slots.waiting()).as("a thread without a slot steps out of nothing").isZero();
        }
    }

    @Test
    void aRequestThatGetsNoSlotInTimeIsServiceUnavailable() throws Exception {
        RequestSlots slots = new RequestSlots(1, Duration.ofMillis(100));
        slots.enter();
        Throwable[] refused = new Throwable[1];
        Thread late = new Thread(() -> {
            try {
                slots.enter();
            } catch (Throwable e) {
                refused[0] = e;
            }
        });
        late.start();
        late.join(5000);
        assertThatThrownBy(() -> {
            if (refused[0] != null) {
                throw refused[0];
            }
        }).isInstanceOf(IceException.class).hasMessageContaining("temporary failure");
        assertThat(((IceException) refused[0]).code()).isEqualTo("ServiceUnavailable");
        assertThat(((IceException) refused[0]).status()).isEqualTo(503);
    }

    /** A request on a thread of its own: takes a slot, works, gives it back. */
    private static Thread request(RequestSlots slots, Runnable work) {
        Thread t = new Thread(() -> {
            try {
                slots.enter();
                work.run();
                slots.leave();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        return t;
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
