/**
 * The server's Prometheus metrics (prom-client, a registry of its own per server): requests by
 * route, method and status; request latency; batch sizes and batch time per queue; queue depth;
 * and prom-client's process metrics (resident memory, heap, event-loop lag, GC), which is how a
 * long-running server's memory is watched.
 */
import type { Counter, Gauge, Histogram, Registry } from "prom-client";

export class ServerMetrics {
  private constructor(
    private readonly registry: Registry,
    private readonly requests: Counter<"route" | "method" | "status">,
    private readonly latency: Histogram<"route">,
    private readonly batchSize: Histogram<"queue">,
    private readonly batchSeconds: Histogram<"queue">,
    private readonly queueDepth: Gauge<"queue">,
  ) {}

  static async create(): Promise<ServerMetrics> {
    const prom = await import("prom-client");
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    const requests = new prom.Counter({ name: "rnnkit_http_requests_total", help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers: [registry] });
    const latency = new prom.Histogram({ name: "rnnkit_http_request_seconds", help: "Request latency (receive to response)", labelNames: ["route"], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
    const batchSize = new prom.Histogram({ name: "rnnkit_batch_size", help: "Items per inference batch", labelNames: ["queue"], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
    const batchSeconds = new prom.Histogram({ name: "rnnkit_batch_seconds", help: "Inference time per batch", labelNames: ["queue"], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] });
    const queueDepth = new prom.Gauge({ name: "rnnkit_queue_depth", help: "Requests waiting per queue", labelNames: ["queue"], registers: [registry] });
    return new ServerMetrics(registry, requests, latency, batchSize, batchSeconds, queueDepth);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
  }
  batch(queue: string, size: number, seconds: number): void {
    this.batchSize.observe({ queue }, size);
    this.batchSeconds.observe({ queue }, seconds);
  }
  queues(depths: Record<string, number>): void {
    for (const [queue, n] of Object.entries(depths)) this.queueDepth.set({ queue }, n);
  }
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
