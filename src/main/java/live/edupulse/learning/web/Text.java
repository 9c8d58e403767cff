package live.edupulse.learning.web;

/** Rules for text fields: length in characters, no control characters, well-formed Unicode. */
final class Text {

    private Text() {
    }

    static String check(String field, String value, int minLength, int maxLength, boolean multiline) {
        if (value.isBlank()) {
            throw new ProblemException(Problem.invalidField(field, field + " must not be blank"));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ProblemException(Problem.invalidField(field, field + " contains an unpaired surrogate"));
            } else if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                throw new ProblemException(Problem.invalidField(field,
                        field + " contains a control character (U+" + String.format("%04X", (int) c) + ")"));
            }
        }
        int length = value.codePointCount(0, value.length());
        if (length < minLength || length > maxLength) {
            throw new ProblemException(Problem.invalidField(field,
                    field + " must be " + minLength + " to " + maxLength + " characters long, was " + length));
        }
        return value;
    }
}
