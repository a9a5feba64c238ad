// Start the app: restore the session, draw, and register the service worker.
import { render } from "preact";
import { App } from "./App";
import { restore } from "./live/store";
import "./styles.css";

const root = document.getElementById("app") as HTMLElement;
render(<App booted={false} />, root);
void restore().then(() => render(<App booted={true} />, root));

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" });
}
