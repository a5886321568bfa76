import { render } from "preact";
import { App } from "./app.js";
import { startTelegram } from "./telegram.js";
import "./styles.css";

render(<App telegram={startTelegram()} />, document.getElementById("app")!);
