// Being built: see the PWA issue. Replaced by the real screen before this lands.
export default function MonitorView() {
  return <p class="notice">This screen is on its way.</p>;
}
