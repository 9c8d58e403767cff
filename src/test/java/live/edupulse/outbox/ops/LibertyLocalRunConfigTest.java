package live.edupulse.outbox.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Open Liberty configuration {@code mvn -Pstart-liberty package} assembles (server.xml with
 * everything under server-config/liberty/local) and the test server's users: listens on loopback
 * only, commits no plaintext password, and gives Liberty's administrator role (which may rewrite
 * server.xml) to a user of its own, never to the outbox operators' group.
 */
class LibertyLocalRunConfigTest {

    private static final Path LIBERTY = Path.of("server-config", "liberty");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

    @Test
    void theLocalRunListensOnLoopbackOnly() throws Exception {
        List<Document> run = localRun();
        Map<String, String> variables = variableDefaults(run);
        List<Element> endpoints = elements(run, "httpEndpoint");
        assertFalse(endpoints.isEmpty(), "no httpEndpoint in the local run's configuration");
        for (Element endpoint : endpoints) {
            String host = resolve(endpoint.getAttribute("host"), variables);
            assertTrue(LOOPBACK.contains(host), "httpEndpoint " + endpoint.getAttribute("id") + " listens on '" + host + "'");
        }
    }

    @Test
    void noPlaintextPasswordIsCommitted() throws Exception {
        List<Document> documents = new ArrayList<>(localRun());
        documents.add(parse(Path.of("src", "test", "liberty", "users.xml")));
        List<String> plaintext = new ArrayList<>();
        for (Document document : documents) {
            NodeList all = document.getElementsByTagName("*");
            for (int i = 0; i < all.getLength(); i++) {
                Element element = (Element) all.item(i);
                String password = element.getAttribute("password");
                if (!password.isEmpty() && !encodedOrVariable(password)) {
                    plaintext.add(element.getTagName() + " " + element.getAttribute("name") + " password");
                }
                if (element.getTagName().equals("variable") && element.getAttribute("name").contains("password")
                        && !encodedOrVariable(element.getAttribute("defaultValue") + element.getAttribute("value"))) {
                    plaintext.add("variable " + element.getAttribute("name"));
                }
            }
        }
        assertEquals(List.of(), plaintext, "plaintext passwords");
    }

    @Test
    void adminCenterHasItsOwnAdministratorOutsideTheOperatorsGroup() throws Exception {
        List<Document> run = localRun();
        Set<String> operators = new HashSet<>();
        for (Element group : elements(run, "group")) {
            if (group.getParentNode() instanceof Element parent && parent.getTagName().equals("basicRegistry")
                    && group.getAttribute("name").equals("outbox-admin")) {
                for (Element member : children(group, "member")) {
                    operators.add(member.getAttribute("name"));
                }
            }
        }
        List<Element> roles = elements(run, "administrator-role");
        assertFalse(roles.isEmpty(), "Admin Center has no administrator");
        Set<String> administrators = new HashSet<>();
        for (Element role : roles) {
            for (Element group : children(role, "group")) {
                assertFalse(group.getTextContent().trim().equals("outbox-admin"),
                        "the group outbox-admin has Liberty's administrator role");
            }
            for (Element user : children(role, "user")) {
                administrators.add(user.getTextContent().trim());
            }
        }
        assertFalse(administrators.isEmpty(), "no administrator user");
        for (String administrator : administrators) {
            assertFalse(operators.contains(administrator) || administrator.equals("outbox-admin"),
                    administrator + " is both an outbox operator and a server administrator");
        }
    }

    private static boolean encodedOrVariable(String value) {
        return value.startsWith("{xor}") || value.startsWith("{aes}") || value.startsWith("{hash}")
                || value.matches("\\$\\{[^}]+}");
    }

    private static List<Document> localRun() throws Exception {
        List<Document> documents = new ArrayList<>();
        documents.add(parse(LIBERTY.resolve("server.xml")));
        try (Stream<Path> files = Files.walk(LIBERTY.resolve("local"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                documents.add(parse(file));
            }
        }
        return documents;
    }

    private static Document parse(Path file) throws Exception {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    private static Map<String, String> variableDefaults(List<Document> documents) {
        Map<String, String> variables = new HashMap<>();
        for (Element variable : elements(documents, "variable")) {
            String value = variable.hasAttribute("value") ? variable.getAttribute("value") : variable.getAttribute("defaultValue");
            variables.put(variable.getAttribute("name"), value);
        }
        return variables;
    }

    private static String resolve(String value, Map<String, String> variables) {
        if (value.isEmpty()) {
            return "localhost"; // Liberty's default host for an httpEndpoint
        }
        if (value.matches("\\$\\{[^}]+}")) {
            return variables.getOrDefault(value.substring(2, value.length() - 1), value);
        }
        return value;
    }

    private static List<Element> elements(List<Document> documents, String tag) {
        List<Element> found = new ArrayList<>();
        for (Document document : documents) {
            NodeList list = document.getElementsByTagName(tag);
            for (int i = 0; i < list.getLength(); i++) {
                found.add((Element) list.item(i));
            }
        }
        return found;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList list = parent.getElementsByTagName(tag);
        for (int i = 0; i < list.getLength(); i++) {
            found.add((Element) list.item(i));
        }
        return found;
    }
}
