import type { ReactNode } from 'react';
import { Navigate, createBrowserRouter, useLocation, type RouteObject } from 'react-router';
import { useSession } from '../api/session.js';
import { AdminPage } from '../pages/admin/AdminPage.js';
import { ActionPage } from '../pages/library/ActionPage.js';
import { LibraryPage } from '../pages/library/LibraryPage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { BuildPage } from '../pages/repositories/BuildPage.js';
import { RepositoriesPage } from '../pages/repositories/RepositoriesPage.js';
import { SourcePage } from '../pages/repositories/SourcePage.js';
import { RunPage } from '../pages/runs/RunPage.js';
import { RunsPage } from '../pages/runs/RunsPage.js';
import { StartRunPage } from '../pages/runs/StartRunPage.js';
import { SettingsPage } from '../pages/settings/SettingsPage.js';
import { StatusPage } from '../pages/StatusPage.js';
import { EditorPage } from '../pages/workflows/EditorPage.js';
import { WorkflowsPage } from '../pages/workflows/WorkflowsPage.js';
import { Layout } from './Layout.js';
import { NAV } from './nav.js';

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session.loggedIn) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return children;
}

/** Public, and inside the frame once logged in. */
function Status() {
  const session = useSession();
  return session.loggedIn ? <Layout><StatusPage /></Layout> : <main style={{ padding: 24 }}><StatusPage /></main>;
}

/** The pages behind a login, each under the frame; a page adds its route here and its entry in nav.ts. */
const pages: RouteObject[] = [
  { path: '/library', element: <LibraryPage /> },
  { path: '/library/:actionId', element: <ActionPage /> },
  { path: '/library/:actionId/:version', element: <ActionPage /> },
  { path: '/repositories', element: <RepositoriesPage /> },
  { path: '/repositories/:sourceId', element: <SourcePage /> },
  { path: '/builds/:buildId', element: <BuildPage /> },
  { path: '/workflows', element: <WorkflowsPage /> },
  { path: '/workflows/new', element: <EditorPage /> },
  { path: '/workflows/:workflowId', element: <EditorPage /> },
  { path: '/workflows/:workflowId/run', element: <StartRunPage /> },
  { path: '/runs', element: <RunsPage /> },
  { path: '/runs/:runId', element: <RunPage /> },
  { path: '/settings', element: <SettingsPage /> },
  { path: '/admin', element: <AdminPage /> },
];

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/status', element: <Status /> },
  {
    element: <RequireSession><Layout /></RequireSession>,
    children: [{ index: true, element: <Navigate to={NAV[0]?.path ?? '/status'} replace /> }, ...pages],
  },
  { path: '*', element: <Navigate to="/" replace /> },
], { basename: '/app' });
