import type { Logo, PublicAction } from './action.js';

/** What the action builder tells the rest of Trellis. Ids of the messages themselves are given at the edge. */
export type BuildStarted = {
  readonly type: 'BuildStarted';
  readonly buildId: string;
  readonly projectId: string;
  readonly attempt: number;
  readonly traceId: string;
  readonly occurredAt: Date;
};

export type BuildSucceeded = {
  readonly type: 'BuildSucceeded';
  readonly buildId: string;
  readonly projectId: string;
  readonly sourceId: string;
  readonly commit: string;
  readonly folder: string;
  readonly action: PublicAction;
  readonly digest: string;
  readonly artifactObject: string;
  readonly artifactSize: number;
  readonly logo: Logo | null;
  readonly images: readonly string[];
  readonly traceId: string;
  readonly occurredAt: Date;
};

export type BuildFailed = {
  readonly type: 'BuildFailed';
  readonly buildId: string;
  readonly projectId: string;
  readonly reason: string;
  readonly logTail: string;
  readonly logObject: string | null;
  readonly canceled: boolean;
  readonly traceId: string;
  readonly occurredAt: Date;
};

export type BuilderEvent = BuildStarted | BuildSucceeded | BuildFailed;
