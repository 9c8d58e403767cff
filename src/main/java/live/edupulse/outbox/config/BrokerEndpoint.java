package live.edupulse.outbox.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An {@code amqp://} or {@code amqps://} URI taken apart: what the connection is made from, and the
 * only source of how the broker is shown in logs. {@link #display()} and {@link #toString()} are
 * built from scheme, host, port and virtual host alone, so no form of the user information can
 * reach a log line whatever characters the password holds.
 *
 * <p>Parsing is lenient where a URI library is not: the user information ends at the last
 * {@code @}, so a password holding an unencoded {@code /}, {@code @} or {@code :} still connects.
 * User, password and virtual host are percent-decoded (UTF-8); a literal {@code %} is written
 * {@code %25}. No message of {@link IllegalArgumentException} thrown here contains any part of
 * the URI.
 */
public record BrokerEndpoint(boolean tls, String host, int port, String virtualHost, String username, String password) {

    /** Takes an {@code amqp://} or {@code amqps://} URI apart; the message of a refusal quotes none of it. */
    public static BrokerEndpoint parse(String uri) {
        boolean tls;
        String rest;
        if (uri.startsWith("amqp://")) {
            tls = false;
            rest = uri.substring("amqp://".length());
        } else if (uri.startsWith("amqps://")) {
            tls = true;
            rest = uri.substring("amqps://".length());
        } else {
            throw new IllegalArgumentException("it does not start with amqp:// or amqps://");
        }
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? null : rest.substring(0, at);
        String location = rest.substring(at + 1);
        if (location.indexOf('?') >= 0 || location.indexOf('#') >= 0) {
            throw new IllegalArgumentException("query parameters and fragments are not supported");
        }
        int slash = location.indexOf('/');
        String authority = slash < 0 ? location : location.substring(0, slash);
        String path = slash < 0 ? "" : location.substring(slash + 1);
        if (path.indexOf('/') >= 0) {
            throw new IllegalArgumentException("the virtual host has more than one path segment (write '/' in it as %2F)");
        }
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 host lacks its closing ']'");
            }
            host = authority.substring(0, close + 1);
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new IllegalArgumentException("the host is not followed by ':' and a port");
            }
            portText = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
            throw new IllegalArgumentException("the host is missing or holds characters a host name cannot have"
                    + " (percent-encode '/', '@', ':', '?', '#' and '%' in the user and password)");
        }
        int port = tls ? 5671 : 5672;
        if (!portText.isEmpty()) {
            if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) == 0 || Integer.parseInt(portText) > 65535) {
                throw new IllegalArgumentException("the port is not a number from 1 to 65535");
            }
            port = Integer.parseInt(portText);
        }
        String virtualHost = path.isEmpty() ? "/" : decode(path, "virtual host");
        String username = "guest";
        String password = "guest";
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user");
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1), "password");
        }
        return new BrokerEndpoint(tls, host, port, virtualHost, username, password);
    }

    /** How the broker is named in logs: scheme, host, port and virtual host; never user or password. */
    public String display() {
        return (tls ? "amqps://" : "amqp://") + host + ":" + port + " (virtual host '" + virtualHost + "')";
    }

    /** The same as {@link #display()}: a record's generated form would print the password. */
    @Override
    public String toString() {
        return display();
    }

    private static String decode(String text, String part) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        StringBuilder decoded = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                while (i < text.length() && text.charAt(i) == '%') {
                    if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                            || Character.digit(text.charAt(i + 2), 16) < 0) {
                        throw new IllegalArgumentException("a '%' in the " + part
                                + " is not followed by two hexadecimal digits (write a literal '%' as %25)");
                    }
                    bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                    i += 3;
                }
                decoded.append(bytes.toString(StandardCharsets.UTF_8));
                bytes.reset();
            } else {
                decoded.append(c);
                i++;
            }
        }
        return decoded.toString();
    }
}
