import type { ReactNode } from 'react';
import { Navigate, createBrowserRouter, useLocation, type RouteObject } from 'react-router';
import { useSession } from '../api/session.js';
import { ActionPage } from '../pages/library/ActionPage.js';
import { LibraryPage } from '../pages/library/LibraryPage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { StatusPage } from '../pages/StatusPage.js';
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
