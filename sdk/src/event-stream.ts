import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One Server-Sent Event: `event` is `message` when the server named none. */
export type ServerSentEvent = { event: string; data: string; id: string | undefined };

/**
 * The events of a `text/event-stream` body (a build's log, a step's logs) as they arrive, for
 * a call made with `headers: { accept: 'text/event-stream' }, parseAs: 'stream'`.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array> | null | undefined, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
  if (!body) return;
  const ready: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: (message: EventSourceMessage) => ready.push({ event: message.event ?? 'message', data: message.data, id: message.id }) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const stop = () => { void reader.cancel().catch(() => undefined); };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (ready.length > 0) yield ready.shift() as ServerSentEvent;
    }
    parser.feed(decoder.decode());
    while (ready.length > 0) yield ready.shift() as ServerSentEvent;
  } finally {
    signal?.removeEventListener('abort', stop);
    reader.releaseLock();
  }
}
