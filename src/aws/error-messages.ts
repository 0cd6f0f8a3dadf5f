// The Query protocol's error shape has a code and a message only, so what GraphQL
// answers beside the message (a rejected policy's detail, JSON path, line and
// column in `extensions`) is written into the message, after AWS's own wording.
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html

/** `message`, followed by the detail `extensions` carry (which already names the path, line and column). */
export function messageWithDetail(message: string, extensions: Record<string, unknown> | undefined): string {
  const detail = extensions?.detail;
  if (typeof detail !== 'string' || detail === '') return message;
  if (detail.startsWith(message)) return detail;
  return `${message}${/[.:]$/.test(message) ? '' : ':'} ${detail.charAt(0).toUpperCase()}${detail.slice(1)}`;
}
