/**
 * A SetupContext for plugin unit tests: records what setup() registered (hooks, observers,
 * transforms, HTTP routes, readiness checks, capabilities) so a test can drive them, with a
 * capturing logger. For anything involving sockets, start a real DnsServer instead.
 */
import type { HttpHandler, QueryObserver, ReloadOutcome, ReplyTransform, SetupContext } from '../core/handler.ts';
import type { Logger } from '../core/log.ts';
import type { Message } from '../dns/types.ts';
import type { Request } from '../core/request.ts';

export interface TestContext extends SetupContext {
  readonly lines: string[];
  readonly startup: Array<() => Promise<void> | void>;
  readonly listening: Array<() => Promise<void> | void>;
  readonly shutdown: Array<() => Promise<void> | void>;
  readonly finalShutdown: Array<() => Promise<void> | void>;
  readonly observers: QueryObserver[];
  readonly droppedObservers: Set<QueryObserver>;
  readonly transforms: ReplyTransform[];
  readonly routes: Map<string, HttpHandler>;
  readonly checks: Map<string, () => boolean>;
  readonly capabilities: Map<string, unknown>;
  readonly fatals: string[];
  /** The cap set with setUdpSizeLimit (Infinity: none). */
  readonly udpSizeLimit: number;
  /** Runs the startup hooks, then the listening hooks. */
  start(): Promise<void>;
  /** Runs the final-shutdown hooks, then the shutdown hooks. */
  stop(): Promise<void>;
}

export interface TestContextOptions {
  readonly zones?: readonly string[];
  readonly manifests?: readonly string[];
  readonly lookup?: (req: Request, name: string, type: number) => Promise<Message | null>;
  readonly reload?: () => Promise<ReloadOutcome>;
  readonly listenAddresses?: ReadonlyArray<{ host: string; port: number }>;
  /** What ctx.plugins() returns (the block's handlers). */
  readonly plugins?: readonly string[];
}

export function capturingLogger(lines: string[], prefix = ''): Logger {
  return {
    info: (m) => lines.push(`[INFO] ${prefix}${m}`),
    warn: (m) => lines.push(`[WARNING] ${prefix}${m}`),
    error: (m) => lines.push(`[ERROR] ${prefix}${m}`),
    raw: (l) => lines.push(l),
    plugin: (name) => capturingLogger(lines, `plugin/${name}: `),
  };
}

export function testContext(options: TestContextOptions = {}): TestContext {
  const lines: string[] = [];
  let bind: readonly string[] = [];
  let stopping = false;
  const ctx: TestContext = {
    zones: options.zones ?? ['.'],
    get bindAddresses() { return bind; },
    manifests: options.manifests ?? [],
    log: capturingLogger(lines),
    configHash: '',
    lines,
    startup: [], listening: [], shutdown: [], finalShutdown: [],
    observers: [], droppedObservers: new Set(), transforms: [], routes: new Map(), checks: new Map(), capabilities: new Map(), fatals: [],
    onStartup(fn) { ctx.startup.push(fn); },
    onListening(fn) { ctx.listening.push(fn); },
    onShutdown(fn) { ctx.shutdown.push(fn); },
    onFinalShutdown(fn) { ctx.finalShutdown.push(fn); },
    lookup: options.lookup ?? (() => Promise.resolve(null)),
    setBindAddresses(a) { bind = a; },
    udpSizeLimit: Infinity,
    setUdpSizeLimit(size) { (ctx as { udpSizeLimit: number }).udpSizeLimit = Math.min(ctx.udpSizeLimit, size); },
    listenAddresses: () => options.listenAddresses ?? [],
    observe(fn) { ctx.observers.push(fn); },
    observeDropped(fn) { ctx.droppedObservers.add(fn); },
    plugins: () => options.plugins ?? [],
    transformReply(fn) { ctx.transforms.push(fn); },
    http(address, path, handler) { ctx.routes.set(`${address}${path}`, handler); },
    httpAddress: () => null,
    readiness(plugin, check) { ctx.checks.set(plugin, check); },
    notReady: () => [...ctx.checks].filter(([, c]) => !c()).map(([p]) => p).sort(),
    shuttingDown: () => stopping,
    provide(key, value) { ctx.capabilities.set(key, value); },
    provided: (key) => ctx.capabilities.get(key),
    reload: options.reload ?? (() => Promise.resolve({ status: 'unchanged' })),
    fatal(message) { ctx.fatals.push(message); },
    async start() {
      for (const fn of ctx.startup) await fn();
      for (const fn of ctx.listening) await fn();
    },
    async stop() {
      stopping = true;
      for (const fn of ctx.finalShutdown) await fn();
      for (const fn of ctx.shutdown) await fn();
    },
  };
  return ctx;
}
