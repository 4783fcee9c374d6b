/**
 * A project as this service knows it: announced by authorization, kept here so this
 * service's own data can belong to it without asking authorization.
 */
export type KnownProject = {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
};

export type ProjectAnnouncement = { readonly projectId: string; readonly name: string; readonly occurredAt: Date };

/** Authorization deleted the project: everything this service keeps for it goes. */
export type ProjectDeletion = { readonly projectId: string; readonly occurredAt: Date };

export function fromAnnouncement(announcement: ProjectAnnouncement): KnownProject {
  return { id: announcement.projectId, name: announcement.name, createdAt: announcement.occurredAt };
}
