import { preactPage } from "../../web/preact-page.vite.js";

/** The web chat page (sandbox/web-chat/ui), served at /, built into sandbox/web-chat/dist. */
export default preactPage(new URL("./ui/", import.meta.url), "/", new URL("./dist", import.meta.url));
