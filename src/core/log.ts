// Structured JSON logs, one line per record, to stdout (journald picks them up). A child
// logger per service carries `svc` (STYLE habit 9). Packet paths use `limited()` so a flood
// of bad packets cannot flood the journal. The interface is pino-compatible so Fastify can use it.

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
const RANK: Record<Level, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export type LogFn = (objOrMsg: unknown, msg?: string) => void;

export interface Logger {
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  silent: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  /** A logger that emits at most `perMinute` records per key and counts what it dropped. */
  limited(key: string, perMinute?: number): Logger;
}

export interface LogSink {
  write(line: string): void;
}

// Field names whose values are never written, whatever the caller passes (secrets never logged).
const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie|nonce|key$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(opts: { level?: Level; sink?: LogSink; bindings?: Record<string, unknown> } = {}): Logger {
  const sink: LogSink = opts.sink ?? { write: (l) => process.stdout.write(l) };
  const state = { level: opts.level ?? 'info' };
  return make(sink, state, opts.bindings ?? {});
}

function make(sink: LogSink, state: { level: Level }, bindings: Record<string, unknown>): Logger {
  const emit = (lvl: Level) => (objOrMsg: unknown, msg?: string) => {
    if (RANK[lvl] < RANK[state.level]) return;
    const rec: Record<string, unknown> = { level: lvl, time: new Date().toISOString(), ...bindings };
    if (typeof objOrMsg === 'string') rec.msg = objOrMsg;
    else if (objOrMsg instanceof Error) { rec.err = redact(objOrMsg); if (msg) rec.msg = msg; }
    else if (objOrMsg && typeof objOrMsg === 'object') { Object.assign(rec, redact(objOrMsg)); if (msg) rec.msg = msg; }
    else if (msg) rec.msg = msg;
    sink.write(JSON.stringify(rec) + '\n');
  };
  const logger: Logger = {
    get level() { return state.level; },
    set level(l: string) { state.level = (l in RANK ? l : 'info') as Level; },
    trace: emit('trace'), debug: emit('debug'), info: emit('info'), warn: emit('warn'),
    error: emit('error'), fatal: emit('fatal'), silent: () => {},
    child: (b) => make(sink, state, { ...bindings, ...b }),
    limited: (key, perMinute = 10) => limitedLogger(logger, key, perMinute),
  };
  return logger;
}

const limits = new Map<string, { windowStart: number; count: number; dropped: number }>();

function limitedLogger(base: Logger, key: string, perMinute: number): Logger {
  const gate = (fn: LogFn): LogFn => (o, m) => {
    const now = Date.now();
    let s = limits.get(key);
    if (!s || now - s.windowStart >= 60_000) {
      if (s && s.dropped > 0) base.warn({ limiter: key, dropped: s.dropped }, 'log records suppressed by rate limit');
      s = { windowStart: now, count: 0, dropped: 0 };
      limits.set(key, s);
    }
    if (s.count++ < perMinute) fn(o, m);
    else s.dropped++;
  };
  return {
    ...base,
    get level() { return base.level; },
    trace: gate(base.trace), debug: gate(base.debug), info: gate(base.info), warn: gate(base.warn),
    error: gate(base.error), fatal: gate(base.fatal), silent: () => {},
    child: (b) => base.child(b).limited(key, perMinute),
    limited: (k, p) => base.limited(k, p),
  };
}

/** A logger that keeps records in memory; for tests. */
export function memoryLogger(level: Level = 'trace'): Logger & { records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const l = createLogger({ level, sink: { write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) } });
  return Object.assign(l, { records });
}
