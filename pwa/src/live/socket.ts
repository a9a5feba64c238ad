// One WebSocket to /ws: hello with where to resume, heartbeats, and reconnection with backoff.
import type { ServerFrame } from "../api/types";
import { CLOSE_CODES, HEARTBEAT_SECONDS } from "../contract/constants";

export type Connection = "connecting" | "live" | "reconnecting" | "offline";

export interface SocketHooks {
  /** Where to resume: the last epoch and seq applied, or null for a fresh snapshot. */
  cursor(): { epoch: string; since: number } | null;
  frame(frame: ServerFrame): void;
  status(status: Connection): void;
  /** The server closed the socket because the session is gone (4401) or forbidden (4403). */
  accessLost(): void;
}

// The server expects a frame every HEARTBEAT_SECONDS (20 s); a socket that has heard nothing
// for two of them and a bit is dead even if the browser hasn't noticed (Wi-Fi dropped silently).
const PING_MS = HEARTBEAT_SECONDS * 1000;
const SILENCE_MS = PING_MS * 2.25;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;
// The session is gone: sign in again rather than retry.
const ACCESS_CODES: ReadonlySet<number> = new Set([CLOSE_CODES.NOT_AUTHENTICATED, CLOSE_CODES.FORBIDDEN]);

/** The live connection; start() once signed in, stop() on sign-out. */
export class LiveSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private lastHeard = 0;
  private stopped = true;

  constructor(private readonly hooks: SocketHooks) {
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => {
      if (!this.stopped) this.hooks.status("offline");
      this.socket?.close();
    });
  }

  /** Open the socket (and keep it open until stop()). */
  start(): void {
    this.stopped = false;
    this.hooks.status("connecting");
    this.open();
  }

  /** Close for good (sign-out). */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    this.socket?.close(CLOSE_CODES.NORMAL);
    this.socket = null;
  }

  /** Reconnect at once rather than after the backoff (the network came back). */
  reconnectNow(): void {
    if (this.stopped) return;
    window.clearTimeout(this.retryTimer);
    this.attempt = 0;
    if (!this.socket || this.socket.readyState > WebSocket.OPEN) this.open();
  }

  private open(): void {
    const url = new URL("/ws", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      const cursor = this.hooks.cursor();
      socket.send(JSON.stringify(cursor ? { type: "hello", ...cursor } : { type: "hello" }));
      this.lastHeard = Date.now();
      window.clearInterval(this.pingTimer);
      this.pingTimer = window.setInterval(() => this.heartbeat(socket), PING_MS / 4);
    };
    socket.onmessage = (message) => {
      this.lastHeard = Date.now();
      const frame = JSON.parse(String(message.data)) as ServerFrame;
      if (frame.type === "snapshot" || frame.type === "ready") {
        this.attempt = 0;
        this.hooks.status("live");
      }
      this.hooks.frame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      window.clearInterval(this.pingTimer);
      this.socket = null;
      if (this.stopped) return;
      if (ACCESS_CODES.has(event.code)) {
        this.stopped = true;
        this.hooks.accessLost();
        return;
      }
      this.hooks.status(navigator.onLine ? "reconnecting" : "offline");
      this.scheduleRetry();
    };
  }

  private heartbeat(socket: WebSocket): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      socket.close(4000, "silent");
      return;
    }
    if (Date.now() - this.lastHeard >= PING_MS / 2) socket.send('{"type":"ping"}');
  }

  private scheduleRetry(): void {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    this.attempt += 1;
    // Full jitter: after an outage, a school's 1,000 devices must not all come back at once.
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = window.setTimeout(() => this.open(), wait);
  }
}
