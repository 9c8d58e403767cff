/**
 * The outbox's OpenTelemetry spans, through MicroProfile Telemetry: recording an event, the
 * dispatcher's claim and settle, one producer span per published message. Off unless the server's
 * OpenTelemetry SDK is switched on ({@code otel.sdk.disabled=false}); off, every entry point returns
 * a shared no-op. Used by {@code recording} and {@code dispatch}; imports {@code config} and
 * {@code broker} only.
 */
package live.edupulse.outbox.tracing;
