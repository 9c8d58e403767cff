package live.edupulse.learning.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API of the learning hub, under {@code /edupulse/api}. */
@ApplicationPath("/api")
public class LearningApi extends Application {
}
