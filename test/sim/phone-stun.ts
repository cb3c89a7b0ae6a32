// A phone's TR-069 Annex G side (tr069-protocol.md §8.2–8.3, §8.10), following its
// ManagementServer STUN parameters: while STUNEnable is true it runs the TR-111 STUN client
// (stun-client.ts, owned by the STUN work) from its UDP connection-request port — Binding
// Requests with CONNECTION-REQUEST-BINDING, BINDING-CHANGE after a new mapping, USERNAME +
// MESSAGE-INTEGRITY after a 401, keep-alives every STUNMinimumKeepAlivePeriod — and accepts UDP
// connection requests on that socket validated against ConnectionRequestUsername/Password.
// STUNServerAddress empty → the host of ManagementServer.URL (§8.2).

import type { Clock } from '../../src/core/clock.ts';
import { StunClient, type StunBindingInfo } from './stun-client.ts';
import type { PhoneState } from './state.ts';

interface StunConfig { host: string; port: number; username: string; password: string; keepAliveMs: number; bind: string }

export interface PhoneStunHooks {
  /** A valid UDP connection request arrived (the phone starts a `6 CONNECTION REQUEST` session). */
  connectionRequest(): void;
  /** UDPConnectionRequestAddress changed (VALUE CHANGE when the ACS asked for notification). */
  addressChanged(path: string): void;
  /** Where to bind (the phone's own address) and how to resolve the server name. */
  bindAddress(): string;
  resolve(host: string): Promise<string>;
}

const sameConfig = (a: StunConfig, b: StunConfig): boolean =>
  a.host === b.host && a.port === b.port && a.username === b.username && a.password === b.password && a.keepAliveMs === b.keepAliveMs && a.bind === b.bind;

export class PhoneStun {
  readonly #state: PhoneState;
  readonly #clock: Clock;
  readonly #hooks: PhoneStunHooks;
  #client: StunClient | undefined;
  #config: StunConfig | undefined;
  #syncing: Promise<void> = Promise.resolve();
  #stopped = false;
  lastError: string | undefined;

  constructor(state: PhoneState, clock: Clock, hooks: PhoneStunHooks) {
    this.#state = state;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  get running(): boolean { return this.#client !== undefined; }
  get stats(): StunClient['stats'] | undefined { return this.#client?.stats; }

  #wanted(): StunConfig | undefined {
    const p = this.#state.model.family.paths;
    const get = (path: string): string => this.#state.get(path) ?? '';
    if (get(p.stunEnable) !== 'true') return undefined;
    let host = get(p.stunServerAddress);
    if (host === '') {
      try { host = new URL(get(p.url)).hostname.replace(/^\[|\]$/g, ''); } catch { return undefined; }
    }
    const min = Number(get(p.stunMinimumKeepAlivePeriod)) || 0;
    return {
      host, port: Number(get(p.stunServerPort)) || 3478, username: get(p.stunUsername), password: get(p.stunPassword),
      keepAliveMs: (min > 0 ? min : 30) * 1000, bind: this.#hooks.bindAddress(),
    };
  }

  /** Start, restart or stop the client to match the current parameters. Serialised. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#sync()).catch((e: unknown) => { this.lastError = String(e); });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const want = this.#stopped ? undefined : this.#wanted();
    // Same parameters and a binding: nothing to do. No binding yet: try again (the server may be up now).
    if (want && this.#config && sameConfig(want, this.#config) && this.#client?.binding) return;
    await this.#stopClient();
    if (!want) return;
    this.#config = want;
    const rt = this.#state.runtime;
    const p = this.#state.model.family.paths;
    const client = await StunClient.create({
      server: { host: await this.#hooks.resolve(want.host), port: want.port }, bind: { host: want.bind },
      ...(want.username ? { username: want.username } : {}), ...(want.password ? { password: want.password } : {}),
      keepAliveMs: want.keepAliveMs, clock: this.#clock,
      connectionRequest: () => ({ username: this.#state.get(p.crUsername) ?? '', password: this.#state.get(p.crPassword) ?? '' }),
      onConnectionRequest: () => this.#hooks.connectionRequest(),
      onBindingChange: (b: StunBindingInfo) => {
        rt.net.udpCr = `${b.address}:${b.port}`;
        rt.net.natDetected = this.#client?.natDetected ?? (b.address !== want.bind);
        this.#hooks.addressChanged(p.udpConnectionRequestAddress);
      },
      onError: (e) => { this.lastError = e.message; },
    });
    this.#client = client;
    if (this.#stopped) { await this.#stopClient(); return; }
    await client.start().catch((e: Error) => { this.lastError = e.message; }); // keep-alives go on: the server may come later
  }

  async #stopClient(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    this.#config = undefined;
    const net = this.#state.runtime.net;
    net.udpCr = '';
    net.natDetected = false;
    if (c) await c.stop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#stopClient(); // unblocks a sync waiting for a Binding Response
    await this.#syncing;
    await this.#stopClient();
  }
}
