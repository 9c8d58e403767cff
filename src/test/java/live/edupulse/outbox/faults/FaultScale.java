package live.edupulse.outbox.faults;

/**
 * Event counts of the fault suite scale with one setting, {@code -Dfaults.scale} (default 1.0, the
 * sizes CI runs): {@code mvn verify -Dfaults.scale=0.1} runs the whole suite at a tenth.
 */
final class FaultScale {

    private FaultScale() {
    }

    static int events(int full) {
        double scale = Double.parseDouble(System.getProperty("faults.scale", "1.0"));
        return Math.max(10, (int) Math.round(full * scale));
    }
}
