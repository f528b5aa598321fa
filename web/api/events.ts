import { useEffect } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { RealtimeEvent } from '../../common/realtime.ts';
import { api } from './client.ts';

/** Which cached queries an event makes stale. Events carry ids only; the queries refetch through the API. */
export function invalidateFor(client: QueryClient, event: RealtimeEvent): void {
  switch (event.type) {
    case 'patient.changed':
      void client.invalidateQueries({ queryKey: ['patients', 'search'] });
      void client.invalidateQueries({ queryKey: ['patients', 'detail', event.entityId] });
      void client.invalidateQueries({ queryKey: ['patients', 'history', event.entityId] });
      // Names appear on appointment and queue rows too.
      void client.invalidateQueries({ queryKey: ['appointments'] });
      void client.invalidateQueries({ queryKey: ['visits'] });
      break;
    case 'appointment.changed':
      void client.invalidateQueries({ queryKey: ['appointments'] });
      void client.invalidateQueries({ queryKey: ['slots'] });
      break;
    case 'visit.changed':
      void client.invalidateQueries({ queryKey: ['visits'] });
      break;
    case 'billing.changed':
      void client.invalidateQueries({ queryKey: ['billing'] });
      break;
    case 'staff.changed':
      void client.invalidateQueries({ queryKey: ['staff'] });
      void client.invalidateQueries({ queryKey: ['slots'] });
      break;
  }
}

/**
 * Keeps cached data in step with the server while signed in. The browser's EventSource reconnects by
 * itself and sends Last-Event-ID; when the server refuses the stream (the session ended) it gives up, so
 * we ask who we are, which signs us out on a 401, and otherwise reopen from the last id we saw.
 */
export function useLiveUpdates(client: QueryClient, enabled: boolean, onSessionEnded: () => void): void {
  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let lastId = '';
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    function open() {
      source = new EventSource(`/api/events${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ''}`);
      source.onmessage = (message) => {
        if (message.lastEventId) lastId = message.lastEventId;
        try {
          invalidateFor(client, JSON.parse(message.data) as RealtimeEvent);
        } catch {
          void client.invalidateQueries();
        }
      };
      source.addEventListener('resync', () => void client.invalidateQueries());
      source.addEventListener('session-ended', () => {
        source?.close();
        stopped = true;
        onSessionEnded();
      });
      source.onerror = () => {
        if (stopped || source?.readyState !== EventSource.CLOSED) return;
        api('GET', '/api/auth/me')
          .then(() => {
            if (!stopped) retry = setTimeout(open, 3000);
          })
          .catch(() => {
            if (!stopped) retry = setTimeout(open, 5000);
          });
      };
    }

    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [client, enabled, onSessionEnded]);
}
