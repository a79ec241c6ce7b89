import { useEffect } from 'react';
import { MantineProvider, localStorageColorSchemeManager } from '@mantine/core';
import { theme } from './theme';
import { Shell } from './shell';
import { connectExecutionEvents } from '../features/executions/store';

const colorSchemeManager = localStorageColorSchemeManager({ key: 'doppel-color-scheme' });

export function App() {
  useEffect(() => connectExecutionEvents(), []);
  return (
    <MantineProvider theme={theme} defaultColorScheme="light" colorSchemeManager={colorSchemeManager}>
      <Shell />
    </MantineProvider>
  );
}
