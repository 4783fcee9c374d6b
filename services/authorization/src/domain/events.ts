/** What the authorization service tells the rest of Trellis. Ids of the messages themselves are given at the edge. */
export type ProjectCreated = {
  readonly type: 'ProjectCreated';
  readonly projectId: string;
  readonly name: string;
  readonly createdBy: string;
  readonly occurredAt: Date;
};

export type AuthorizationEvent = ProjectCreated;
