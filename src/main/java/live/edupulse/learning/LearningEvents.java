package live.edupulse.learning;

/** The aggregate types of the learning domain, as consumers see them in every message. */
final class LearningEvents {

    static final String PULSE = "learning_pulse";
    static final String SUBMISSION = "submission";

    private LearningEvents() {
    }
}
