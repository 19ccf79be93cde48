/**
 * The node-local cache's networking, as node-cache sets it up: an interface holding the local
 * IPs (so the server can bind them) and the NOTRACK/ACCEPT iptables rules for each, checked
 * first and added only when missing, so running it again (the periodic check, a restart after
 * --skip-teardown) adds nothing twice. It remembers exactly what it added (the link it created,
 * or the addresses it put on an existing interface, and each rule), and teardown removes that
 * and nothing else.
 *
 * The interface is a dummy device, as node-cache's; when the kernel has no dummy driver
 * ("Unknown device type"), a veth pair (`<name>` and `<name>-peer`, both up) holds the addresses
 * instead, with a warning. Any other failure (no permission, no `ip` command) is an error.
 */
import type { ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Command, Family, IptablesRule } from './rules.ts';
import { ipCommands, iptablesCommand, iptablesRules, parseAddresses, peerName, ruleText } from './rules.ts';
import type { CommandResult, Runner } from './run.ts';
import { commandText } from './run.ts';

/** node-cache's `coredns_nodecache_setup_errors_total` error types. */
export type SetupErrorType = 'iptables' | 'iptables_lock' | 'interface_add' | 'interface_check' | 'configmap';
export const SETUP_ERROR_TYPES: readonly SetupErrorType[] = ['iptables', 'iptables_lock', 'interface_add', 'interface_check', 'configmap'];

export class NodeCacheError extends Error {
  readonly code: ErrorCode = 'PODNS_ERR_NODECACHE_SETUP';
  readonly type: SetupErrorType | 'teardown';
  constructor(type: SetupErrorType | 'teardown', message: string) {
    super(`nodecache: ${message}`);
    this.name = 'NodeCacheError';
    this.type = type;
  }
}

export interface NetworkOptions {
  /** Canonical addresses, all of one family. */
  readonly localIps: readonly string[];
  readonly family: Family;
  readonly interfaceName: string;
  readonly setupInterface: boolean;
  readonly setupIptables: boolean;
  /** The DNS port in the rules (the server's --dns.port, 53). */
  readonly dnsPort: number;
  /** The health plugin's port, for the liveness probe's NOTRACK rules. */
  readonly healthPort: number;
}

export interface Added {
  /** The link this process created ('veth': the pair), or null. */
  readonly link: 'dummy' | 'veth' | null;
  /** Addresses this process put on an interface it did not create. */
  readonly addresses: readonly string[];
  /** Rules this process inserted, in order. */
  readonly rules: readonly IptablesRule[];
}

function failed(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`).replace(/\s*\n\s*/g, '; ');
}

const sameRule = (a: IptablesRule, b: IptablesRule): boolean => ruleText(a) === ruleText(b);

export class NodeCacheNetwork {
  readonly #options: NetworkOptions;
  readonly #run: Runner;
  readonly #log: Logger;
  readonly #onError: (type: SetupErrorType) => void;
  readonly #rules: readonly IptablesRule[];
  #link: 'dummy' | 'veth' | null = null;
  #addresses: string[] = [];
  #added: IptablesRule[] = [];
  /** Setup, checks and teardown run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: NetworkOptions, run: Runner, log: Logger, onError: (type: SetupErrorType) => void = () => {}) {
    this.#options = options;
    this.#run = run;
    this.#log = log;
    this.#onError = onError;
    this.#rules = iptablesRules(options.localIps, options.dnsPort, options.healthPort);
  }

  /** The rules setup ensures (empty without --setup-iptables). */
  get rules(): readonly IptablesRule[] { return this.#options.setupIptables ? this.#rules : []; }

  added(): Added {
    return { link: this.#link, addresses: [...this.#addresses], rules: [...this.#added] };
  }

  /** Creates the interface if missing and adds the local IPs it lacks. Throws NodeCacheError. */
  ensureInterface(): Promise<void> {
    return this.#exclusive(() => this.#ensureInterface());
  }

  /** Inserts each rule that `iptables -C` does not find. Throws NodeCacheError. */
  ensureIptables(): Promise<void> {
    return this.#exclusive(() => this.#ensureIptables());
  }

  /** Removes what this process added: its rules (last first), then its link or its addresses. Never throws; returns the failures. */
  teardown(): Promise<string[]> {
    return this.#exclusive(() => this.#teardown());
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => {});
    return next;
  }

  #fail(type: SetupErrorType, message: string): NodeCacheError {
    this.#onError(type);
    return new NodeCacheError(type, message);
  }

  async #ensureInterface(): Promise<void> {
    const { setupInterface, interfaceName: name, localIps } = this.#options;
    if (!setupInterface) return;
    const show = await this.#run(ipCommands.show(name));
    let present: string[] = [];
    if (show.code === 0) {
      const list = await this.#run(ipCommands.addresses(name));
      if (list.code !== 0) throw this.#fail('interface_check', `cannot list the addresses of ${name}: ${commandText(ipCommands.addresses(name))}: ${failed(list)}`);
      present = parseAddresses(list.stdout);
    } else if (/does not exist/i.test(show.stderr)) {
      await this.#createLink();
    } else {
      throw this.#fail('interface_check', `cannot check interface ${name}: ${commandText(ipCommands.show(name))}: ${failed(show)}`);
    }
    for (const ip of localIps) {
      if (present.includes(ip)) continue;
      const cmd = ipCommands.addAddress(name, ip);
      const r = await this.#run(cmd);
      if (r.code !== 0) throw this.#fail('interface_add', `cannot add ${ip} to ${name}: ${commandText(cmd)}: ${failed(r)}`);
      if (this.#link === null) this.#addresses.push(ip);
      if (show.code === 0) this.#log.info(this.#link === null ? `nodecache: added ${ip} to the existing interface ${name}` : `nodecache: added ${ip} back to ${name}`);
    }
  }

  async #createLink(): Promise<void> {
    const name = this.#options.interfaceName;
    const dummy = await this.#run(ipCommands.addDummy(name));
    if (dummy.code === 0) {
      this.#link = 'dummy';
    } else if (/unknown device type|not supported/i.test(dummy.stderr)) {
      this.#log.warn(`nodecache: this kernel has no dummy interface driver (${commandText(ipCommands.addDummy(name))}: ${failed(dummy)}); `
        + `using a veth pair ${name}/${peerName(name)} to hold the local IPs instead`);
      const veth = await this.#run(ipCommands.addVeth(name));
      if (veth.code !== 0) throw this.#fail('interface_add', `cannot create interface ${name}: ${commandText(ipCommands.addVeth(name))}: ${failed(veth)}`);
      this.#link = 'veth';
    } else {
      throw this.#fail('interface_add', `cannot create interface ${name}: ${commandText(ipCommands.addDummy(name))}: ${failed(dummy)}`);
    }
    for (const dev of this.#link === 'veth' ? [name, peerName(name)] : [name]) {
      const r = await this.#run(ipCommands.up(dev));
      if (r.code !== 0) throw this.#fail('interface_add', `cannot set ${dev} up: ${commandText(ipCommands.up(dev))}: ${failed(r)}`);
    }
    this.#log.info(`nodecache: created interface ${name} (${this.#link})`);
  }

  async #ensureIptables(): Promise<void> {
    const { family } = this.#options;
    for (const rule of this.rules) {
      const check = await this.#run(iptablesCommand(family, '-C', rule));
      if (check.code === 0) continue;
      const insert = iptablesCommand(family, '-I', rule);
      const r = await this.#run(insert);
      if (r.code !== 0) {
        const locked = /xtables lock/i.test(r.stderr);
        throw this.#fail(locked ? 'iptables_lock' : 'iptables', `cannot add iptables rule: ${commandText(insert)}: ${failed(r)}`);
      }
      if (this.#added.some((a) => sameRule(a, rule))) this.#log.info(`nodecache: added back iptables rule ${ruleText(rule)}`);
      else this.#added.push(rule);
    }
  }

  async #teardown(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (cmd: Command, gone: RegExp): Promise<void> => {
      const r = await this.#run(cmd);
      if (r.code === 0) return;
      if (gone.test(r.stderr)) { this.#log.info(`nodecache: already gone: ${commandText(cmd)}`); return; }
      problems.push(`${commandText(cmd)}: ${failed(r)}`);
    };
    const { family, interfaceName: name } = this.#options;
    for (const rule of [...this.#added].reverse()) {
      await attempt(iptablesCommand(family, '-D', rule), /does a matching rule exist|bad rule/i);
    }
    this.#added = [];
    if (this.#link !== null) {
      await attempt(ipCommands.del(name), /cannot find device|does not exist/i);
      this.#link = null;
    }
    for (const ip of [...this.#addresses].reverse()) {
      await attempt(ipCommands.delAddress(name, ip), /cannot assign requested address|cannot find device|does not exist/i);
    }
    this.#addresses = [];
    for (const p of problems) this.#log.error(`nodecache: teardown: ${p}`);
    return problems;
  }
}
