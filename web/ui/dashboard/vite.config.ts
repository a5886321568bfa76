import { preactPage } from "../../preact-page.vite.js";

/** The dashboard (web/ui/dashboard), served at /dashboard/. */
export default preactPage(new URL("./", import.meta.url), "/dashboard/");
