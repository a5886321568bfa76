import { preactPage } from "../../preact-page.vite.js";

/** The client Mini App (web/ui/mini-app), served at /app/. */
export default preactPage(new URL("./", import.meta.url), "/app/");
