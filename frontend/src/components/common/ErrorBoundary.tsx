import { Alert, Button, Stack, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/** Keeps one broken page from blanking the whole app. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page crashed', error, info.componentStack);
  }

  componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" title="This page stopped working" role="alert">
        <Stack gap="xs">
          <Text size="sm">Something unexpected happened while showing this page.</Text>
          <Button
            size="xs"
            variant="light"
            w="fit-content"
            onClick={() => this.setState({ error: null })}
          >
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
}
