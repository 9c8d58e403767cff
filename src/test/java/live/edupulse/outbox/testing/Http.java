package live.edupulse.outbox.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the deployed API, relative to the deployment's base URL. */
public final class Http {

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Http(URL deploymentBase) {
        this.base = URI.create(deploymentBase.toString());
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }

    public HttpResponse<String> post(String path, String json) {
        return send("POST", path, json, json == null ? null : "application/json");
    }

    public HttpResponse<String> patch(String path, String json) {
        return send("PATCH", path, json, "application/json");
    }

    /** Any request; {@code body} and {@code contentType} may be null. */
    public HttpResponse<String> send(String method, String path, String body, String contentType) {
        HttpRequest.Builder request = request(method, path, body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return exchange(method, path, request);
    }

    /** A JSON request with one more header. */
    public HttpResponse<String> sendWithHeader(String method, String path, String json, String header, String value) {
        HttpRequest.Builder request = request(method, path, json).header("Content-Type", "application/json")
                .header(header, value);
        return exchange(method, path, request);
    }

    private HttpRequest.Builder request(String method, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> exchange(String method, String path, HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
