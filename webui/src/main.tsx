import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@xyflow/react/dist/style.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TrellisApiError } from '@trellis/sdk';
import { StrictMode, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { SessionProvider, useSession } from './api/session.js';
import { router } from './app/routes.js';

const theme = createTheme({ primaryColor: 'green', defaultRadius: 'sm' });

/** Server state; a session the API no longer accepts (refresh refused) sends the person to the login page. */
function Queries({ children }: { children: ReactNode }) {
  const session = useSession();
  const [client] = useState(() => {
    const onError = (error: unknown) => {
      if (error instanceof TrellisApiError && error.status === 401) session.forget();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: (count, error) => !(error instanceof TrellisApiError && error.status < 500) && count < 2, staleTime: 2000 } },
    });
  });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications />
      <SessionProvider>
        <Queries><RouterProvider router={router} /></Queries>
      </SessionProvider>
    </MantineProvider>
  </StrictMode>,
);
