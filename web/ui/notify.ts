import { notifications } from '@mantine/notifications';

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 4000 });
}

export function notifyError(title: string, message: string): void {
  notifications.show({ color: 'red', title, message, autoClose: 8000 });
}
