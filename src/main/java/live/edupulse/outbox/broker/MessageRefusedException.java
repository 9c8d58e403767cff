package live.edupulse.outbox.broker;

/** The client library refused to send one message (it cannot be encoded as AMQP). */
final class MessageRefusedException extends Exception {

    MessageRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
