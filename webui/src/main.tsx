import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@xyflow/react/dist/style.css';
import './app/focus.css';
import { Anchor, MantineProvider, createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { TrellisApiError } from '@trellis/sdk';
import { StrictMode, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { SessionProvider, useSession } from './api/session.js';
import { router } from './app/routes.js';

/*
 * Colours that pass WCAG 2 AA contrast (4.5:1 for text) on a light background, checked by the
 * accessibility test (e2e/a11y): Mantine's own green, dimmed grey and light-variant texts are
 * too pale for it. A deeper green for filled buttons and links, the darkest shade of each colour
 * for text on a tinted badge or button.
 */
const green: MantineColorsTuple = ['#ebfbee', '#d3f9d8', '#b2f2bb', '#8ce99a', '#69db7c', '#51cf66', '#2f9e44', '#1e7a34', '#19692c', '#145523'];

const blue: MantineColorsTuple = ['#e7f5ff', '#d0ebff', '#a5d8ff', '#74c0fc', '#4dabf7', '#339af0', '#228be6', '#1864ab', '#155896', '#124a80'];

const theme = createTheme({
  colors: { green, blue },
  primaryColor: 'green',
  primaryShade: { light: 7, dark: 6 },
  defaultRadius: 'sm',
  components: { Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }) },
});

const TEXT_ON_TINT: Record<string, string> = {
  green: '#145523', red: '#b02525', orange: '#9a3a0b', yellow: '#7a4d00', blue: '#15589a', grape: '#7a2a8e', gray: '#343a40', cyan: '#0b6170', teal: '#0a6650',
};

const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-anchor': green[7],
    ...Object.fromEntries(Object.entries(TEXT_ON_TINT).map(([color, text]) => [`--mantine-color-${color}-light-color`, text])),
    '--mantine-primary-color-light-color': TEXT_ON_TINT.green as string,
  },
  dark: {},
});

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
    <MantineProvider theme={theme} cssVariablesResolver={contrast} defaultColorScheme="auto">
      <Notifications />
      <SessionProvider>
        <Queries><RouterProvider router={router} /></Queries>
      </SessionProvider>
    </MantineProvider>
  </StrictMode>,
);
