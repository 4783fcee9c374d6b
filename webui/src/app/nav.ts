/** The sections of the navigation, in order; each page registers its entry here. */
export type NavEntry = { path: string; label: string; adminOnly?: boolean };

export const NAV: readonly NavEntry[] = [
  { path: '/library', label: 'Library' },
  { path: '/repositories', label: 'Repositories' },
  { path: '/workflows', label: 'Workflows' },
  { path: '/runs', label: 'Runs' },
  { path: '/settings', label: 'Project settings' },
  { path: '/admin', label: 'Administration', adminOnly: true },
  { path: '/status', label: 'Platform status' },
];
