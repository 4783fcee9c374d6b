import { EventEmitter } from 'node:events';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { Logger } from '../logger.js';
import { backoffMs, sleep } from '../time.js';

/** Acknowledges a delivery on the channel it came from; a no-op once that channel is gone (the broker redelivers). */
export type Delivery = { ack: () => void; nack: (requeue: boolean) => void };

export type Subscription = {
  queue: string;
  prefetch: number;
  onMessage: (message: ConsumeMessage, delivery: Delivery) => void;
};

type ActiveSubscription = Subscription & { channel?: Channel; consumerTag?: string };

type State = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed';

export type BrokerOptions = {
  url: string;
  /** Shown in the broker's connection list. */
  name: string;
  logger: Logger;
  heartbeatSeconds?: number;
  /** How long publish() waits for a connection before failing (the outbox retries later). */
  publishTimeoutMs?: number;
};

/**
 * One AMQP connection that comes back by itself. On every (re)connect it re-runs the topology
 * set-up, reopens a confirm channel for publishing and resubscribes every consumer.
 * We wrote this rather than use amqp-connection-manager because that library buffers and
 * re-sends publications in memory, hiding failures from the outbox (which must keep a row
 * until its confirm), and its ack() does not know which channel a delivery came from.
 */
export class BrokerConnection extends EventEmitter {
  private state: State = 'idle';
  private model: ChannelModel | undefined;
  private publishChannel: ConfirmChannel | undefined;
  private readonly topology: Array<(channel: Channel) => Promise<void>> = [];
  private readonly subscriptions = new Set<ActiveSubscription>();
  private readonly stop = new AbortController();

  constructor(private readonly options: BrokerOptions) {
    super();
    // Every publish waiting out a reconnect listens for 'connected': there may be hundreds.
    this.setMaxListeners(0);
  }

  /** Registers set-up (exchanges, queues, bindings) run on every connect, before consumers start. */
  addTopology(setup: (channel: Channel) => Promise<void>): void {
    this.topology.push(setup);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    void this.connectLoop();
  }

  isConnected(): boolean {
    return this.state === 'connected';
  }

  async waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.state === 'connected') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new Error(`broker not connected after ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
  }

  /** Publishes persistently and resolves once the broker confirms; rejects if it cannot. */
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish = {}): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') throw new Error('broker connection is closed');
    if (!this.publishChannel) await this.waitUntilConnected(this.options.publishTimeoutMs ?? 5000);
    const channel = this.publishChannel;
    if (!channel) throw new Error('broker connection lost before publishing');
    await new Promise<void>((resolve, reject) => {
      try {
        channel.publish(exchange, routingKey, content, { persistent: true, ...options }, (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Subscribes now if connected, and again after every reconnect, until cancelled. */
  subscribe(subscription: Subscription): { cancel: () => Promise<void>; close: () => Promise<void> } {
    const active: ActiveSubscription = { ...subscription };
    this.subscriptions.add(active);
    const model = this.model;
    if (model && this.state === 'connected') {
      this.openSubscription(model, active).catch((error: unknown) => this.fail(model, `subscribing to ${active.queue} failed`, error));
    }
    return {
      /** Stops new deliveries; deliveries in hand can still be acknowledged until close(). */
      cancel: async () => {
        this.subscriptions.delete(active);
        const { channel, consumerTag } = active;
        if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
      },
      close: async () => {
        this.subscriptions.delete(active);
        const channel = active.channel;
        active.channel = undefined;
        await channel?.close().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.stop.abort();
    const model = this.model;
    this.model = undefined;
    this.publishChannel = undefined;
    await model?.close().catch(() => undefined);
    this.state = 'closed';
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; this.state === 'connecting'; attempt++) {
      try {
        await this.open();
        return;
      } catch (error) {
        const delay = backoffMs(attempt, 100, 5000);
        this.options.logger.warn('broker connection failed; retrying', { error: (error as Error).message, retry_in_ms: delay });
        await sleep(delay, this.stop.signal);
      }
    }
  }

  private connectionUrl(): string {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds ?? 10));
    return url.toString();
  }

  private async open(): Promise<void> {
    const model = await amqp.connect(this.connectionUrl(), {
      clientProperties: { connection_name: this.options.name },
      timeout: 5000,
    });
    model.on('error', (error: Error) => this.options.logger.warn('broker connection error', { error: error.message }));
    model.on('close', () => this.lost(model));
    try {
      const setup = await model.createChannel();
      setup.on('error', () => undefined);
      for (const declare of this.topology) await declare(setup);
      await setup.close();
      const publishChannel = await model.createConfirmChannel();
      this.watchChannel(model, publishChannel, 'publish channel', () => true);
      for (const subscription of this.subscriptions) await this.openSubscription(model, subscription);
      if (this.state !== 'connecting') throw new Error('closed while connecting');
      this.model = model;
      this.publishChannel = publishChannel;
      this.state = 'connected';
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    this.options.logger.info('broker connected', { connection: this.options.name });
    this.emit('connected');
  }

  private async openSubscription(model: ChannelModel, subscription: ActiveSubscription): Promise<void> {
    const channel = await model.createChannel();
    this.watchChannel(model, channel, `consumer of ${subscription.queue}`, () => this.subscriptions.has(subscription));
    await channel.prefetch(subscription.prefetch);
    const ok = await channel.consume(subscription.queue, (message) => {
      if (!message) {
        // The broker cancelled us (queue deleted or failed over): start over from the topology.
        this.fail(model, `consumer of ${subscription.queue} cancelled by the broker`);
        return;
      }
      const current = () => subscription.channel === channel && this.model === model;
      subscription.onMessage(message, {
        ack: () => {
          if (current()) channel.ack(message);
        },
        nack: (requeue) => {
          if (current()) channel.nack(message, false, requeue);
        },
      });
    });
    subscription.channel = channel;
    subscription.consumerTag = ok.consumerTag;
  }

  /** A channel that closes on its own (a broker-side error) takes the connection down with it: we rebuild everything. */
  private watchChannel(model: ChannelModel, channel: Channel, what: string, stillWanted: () => boolean): void {
    channel.on('error', (error: Error) => this.options.logger.warn(`${what} error`, { error: error.message }));
    channel.on('close', () => {
      if (stillWanted() && this.model === model && this.state === 'connected') this.fail(model, `${what} closed`);
    });
  }

  private fail(model: ChannelModel, reason: string, error?: unknown): void {
    this.options.logger.warn('broker channel failed; reconnecting', { reason, error: error instanceof Error ? error.message : undefined });
    void model.close().catch(() => undefined);
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.publishChannel = undefined;
    for (const subscription of this.subscriptions) subscription.channel = undefined;
    if (this.state !== 'connected') return;
    this.options.logger.warn('broker connection lost; reconnecting', { connection: this.options.name });
    this.emit('disconnected');
    this.state = 'connecting';
    void this.connectLoop();
  }
}
