"""Run the documentation's curl examples as a reader's shell would, against an in-process app.

A shell block (```sh, ```console or ```bash) that names the server (`http://127.0.0.1:8000`)
is an example. Its commands are read the way bash reads them, for the part of bash the docs
use: comments, line continuations, single and double quotes (with `\\"` and `$VAR` inside
double quotes), `$VAR` and `NAME=$(...)`, pipes into `python3 -m json.tool` or
`python3 -c '...'` (run for real, on the answer), and `> file`. Every `curl` becomes the same
request (method, path and query, headers, body) to the app; variables set by one example
(`TOKEN=$(curl ... | python3 -c '...')`) are there for the next, as in one terminal. Anything
else (another program, an unknown curl option, a variable no example set) fails the example,
so a new kind of example can't silently go unchecked.

A fenced block right after an example (```json or a bare ```) is the answer its last `curl`
shows: the real answer must have the same keys, at every level (values like ids and times may
differ; `...` lines mark items left out of a list). An error shown (`{"error": {"code"}}`) must
be the real answer's status class (4xx) and code; any other example must answer 2xx.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import httpx

SERVER = "http://127.0.0.1:8000"
SHELLS = ("sh", "console", "bash")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class ExampleError(AssertionError):
    """An example that does not run as shown."""


@dataclass
class Example:
    """One shell block of a document, and the answer shown after it (if any)."""

    where: str
    script: str
    shown: str | None


@dataclass
class Answer:
    """What a curl got: the status and the body's text."""

    status: int
    text: str


def examples(markdown: str, name: str) -> list[Example]:
    """Return the examples of a document, in order, with the answer each shows."""
    fences = list(FENCE.finditer(markdown))
    found = []
    for index, fence in enumerate(fences):
        if fence["lang"] not in SHELLS or SERVER not in fence["body"]:
            continue
        shown = None
        after = fences[index + 1] if index + 1 < len(fences) else None
        between = markdown[fence.end() : after.start()] if after else ""
        if after is not None and after["lang"] in ("json", "") and not between.strip():
            shown = after["body"]
        line = markdown.count("\n", 0, fence.start()) + 1
        found.append(Example(f"{name}:{line}", fence["body"], shown))
    return found


@dataclass
class Word:
    """A shell word being read: its text so far, and whether any of it was quoted."""

    text: str = ""
    quoted: bool = False


@dataclass
class Shell:
    """The part of bash the examples use, with `curl` sent to the app and `python3` run."""

    client: httpx.AsyncClient
    variables: dict[str, str] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)

    async def run(self, example: Example) -> None:
        """Run an example's commands in order and check every answer: 2xx, the last as shown."""
        self.answers = []
        for line in split_commands(example.script):
            # Parsed one at a time: a command's $VAR may be set by the one before it.
            for command in await self.parse(line):
                await self.execute(command)
        if not self.answers:
            raise ExampleError("no curl ran")
        for answer in self.answers[:-1]:
            if not 200 <= answer.status < 300:
                raise ExampleError(f"answered {answer.status}: {answer.text[:500]}")
        check(example, self.answers[-1])

    async def parse(self, script: str) -> list[list[str]]:
        """Split a script into commands, each a list of words and the operators `|` and `>`."""
        commands: list[list[str]] = []
        words: list[str] = []
        word: Word | None = None
        i = 0

        def finish() -> None:
            nonlocal word
            if word is not None:
                words.append(word.text)
                word = None

        def end_command() -> None:
            nonlocal words
            finish()
            if words:
                commands.append(words)
            words = []

        while i < len(script):
            char = script[i]
            if char == "\\" and script[i + 1 : i + 2] == "\n":
                i += 2
            elif char == "\n" or char == ";":
                end_command()
                i += 1
            elif char in " \t":
                finish()
                i += 1
            elif char == "#" and word is None:
                i = script.find("\n", i) if "\n" in script[i:] else len(script)
            elif char in "|>":
                finish()
                words.append(char)
                i += 1
            elif char == "'":
                close = script.index("'", i + 1)
                word = word or Word()
                word.text += script[i + 1 : close]
                word.quoted = True
                i = close + 1
            elif char == '"':
                word = word or Word()
                word.quoted = True
                i += 1
                while script[i] != '"':
                    if script[i] == "\\" and script[i + 1] in '"\\$`':
                        word.text += script[i + 1]
                        i += 2
                    elif script[i] == "$":
                        text, i = await self.expand(script, i)
                        word.text += text
                    else:
                        word.text += script[i]
                        i += 1
                i += 1
            elif char == "$":
                text, i = await self.expand(script, i)
                word = word or Word()
                word.text += text
            else:
                word = word or Word()
                word.text += char
                i += 1
        end_command()
        return commands

    async def expand(self, script: str, i: int) -> tuple[str, int]:
        """Expand the `$VAR` or `$(...)` at script[i]; return its text and where it ends."""
        if script.startswith("$(", i):
            close = matching_paren(script, i + 1)
            inner = await self.parse(script[i + 2 : close])
            if len(inner) != 1:
                raise ExampleError(f"$(...) must hold one pipeline: {script[i : close + 1]}")
            output = await self.pipeline(inner[0])
            return output.rstrip("\n"), close + 1
        match = VARIABLE.match(script, i)
        if match is None:
            raise ExampleError(f"a lone $ in: {script[i : i + 40]!r}")
        name = match[1] or match[2]
        if name not in self.variables:
            raise ExampleError(f"${name} is used before any example sets it")
        return self.variables[name], match.end()

    async def execute(self, words: list[str]) -> None:
        """Run one command: an assignment, or a pipeline that starts with curl."""
        if len(words) == 1 and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0], re.S):
            name, value = words[0].split("=", 1)
            self.variables[name] = value
            return
        await self.pipeline(words)

    async def pipeline(self, words: list[str]) -> str:
        """Run `curl ... [| python3 ...]* [> file]` and return what it prints."""
        redirect = None
        if ">" in words:
            at = words.index(">")
            redirect, words = words[at + 1 :], words[:at]
            if len(redirect) != 1:
                raise ExampleError(f"> takes one file name: {redirect}")
        stages: list[list[str]] = [[]]
        for word in words:
            if word == "|":
                stages.append([])
            else:
                stages[-1].append(word)
        output = await self.curl(stages[0])
        for stage in stages[1:]:
            output = python(stage, output)
        return "" if redirect else output

    async def curl(self, words: list[str]) -> str:
        """Send the request a curl command line describes; return the body it would print."""
        if not words or words[0] != "curl":
            raise ExampleError(f"only curl is run against the server, not {words[:1]}")
        method = None
        headers: list[tuple[str, str]] = []
        body: str | None = None
        url = None
        to_file = False
        args = iter(words[1:])
        for arg in args:
            if arg == "-s":
                continue
            if arg in ("-OJ", "-JO"):
                to_file = True
            elif arg == "-X":
                method = next(args)
            elif arg == "-H":
                name, _, value = next(args).partition(":")
                headers.append((name.strip(), value.strip()))
            elif arg == "-d":
                body = next(args)
            elif arg.startswith(SERVER + "/") and url is None:
                url = arg
            else:
                raise ExampleError(f"curl {arg!r} is not something these examples use")
        if url is None:
            raise ExampleError(f"curl without {SERVER}/...: {words}")
        method = method or ("POST" if body is not None else "GET")
        if body is not None and ("Content-Type", "application/json") in headers:
            try:
                json.loads(body)
            except ValueError as exc:
                raise ExampleError(f"the body sent is not JSON ({exc}): {body}") from exc
        self.client.cookies.clear()  # curl keeps no cookies unless told to
        response = await self.client.request(
            method, url, headers=headers, content=None if body is None else body.encode()
        )
        self.answers.append(Answer(response.status_code, response.text))
        return "" if to_file else response.text


def split_commands(script: str) -> list[str]:
    """Split a script into its commands' text, at newlines and `;` outside quotes and $(...)."""
    commands = []
    start = i = 0
    quote = None
    while i < len(script):
        char = script[i]
        if quote == '"' and char == "\\":
            i += 1
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "\\":
            i += 1
        elif script.startswith("$(", i):
            i = matching_paren(script, i + 1)
        elif char == "#" and (i == 0 or script[i - 1] in " \t\n"):
            i = script.find("\n", i) - 1 if "\n" in script[i:] else len(script)
        elif char in "\n;":
            commands.append(script[start:i])
            start = i + 1
        i += 1
    commands.append(script[start:])
    return [command for command in commands if command.strip()]


def matching_paren(script: str, opening: int) -> int:
    """Return the index of the `)` closing the `(` at script[opening], skipping quoted text."""
    depth = 0
    quote = None
    escaped = False
    for i in range(opening, len(script)):
        char = script[i]
        if escaped:
            escaped = False
        elif quote == '"' and char == "\\":
            escaped = True
        elif quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ExampleError(f"unclosed $( in {script[opening - 1 :]!r}")


def python(words: list[str], stdin: str) -> str:
    """Run `python3 -m json.tool` or `python3 -c CODE` on the text piped in, as the reader does."""
    if words[:1] != ["python3"] or not (
        words[1:] == ["-m", "json.tool"] or (len(words) == 3 and words[1] == "-c")
    ):
        raise ExampleError(f"a pipe into {words}: only python3 -m json.tool or -c are run")
    done = subprocess.run(
        [sys.executable, *words[1:]], input=stdin, capture_output=True, text=True, timeout=30
    )
    if done.returncode != 0:
        raise ExampleError(f"{' '.join(words)} failed on {stdin[:300]!r}:\n{done.stderr}")
    return done.stdout


def shown_json(shown: str) -> Any:
    """Parse a shown answer, where `...` lines stand for items left out of a list."""
    kept = "\n".join(line for line in shown.splitlines() if not line.strip().startswith("..."))
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", kept))


def key_differences(shown: Any, real: Any, where: str = "") -> list[str]:
    """Return where the real answer's keys differ from the shown one's, at every level."""
    if isinstance(shown, dict) and isinstance(real, dict):
        problems = [f"{where}.{k}: shown, not in the answer" for k in shown if k not in real]
        problems += [f"{where}.{k}: in the answer, not shown" for k in real if k not in shown]
        for key in shown.keys() & real.keys():
            problems += key_differences(shown[key], real[key], f"{where}.{key}")
        return problems
    if isinstance(shown, list) and isinstance(real, list):
        if shown and not real:
            return [f"{where}: the answer's list is empty"]
        # The items of a list share one shape; a shown list may leave some out.
        return [
            p
            for i, item in enumerate(shown)
            for p in key_differences(item, real[0], f"{where}[{i}]")
        ]
    return []


def check(example: Example, answer: Answer) -> None:
    """Check the last curl's answer against what the example shows (or 2xx if nothing)."""
    shown = shown_json(example.shown) if example.shown is not None else None
    error = shown.get("error") if isinstance(shown, dict) and len(shown) == 1 else None
    if isinstance(error, dict):
        code = json.loads(answer.text).get("error", {}).get("code") if answer.text else None
        if not 400 <= answer.status < 500 or code != error.get("code"):
            raise ExampleError(
                f"shows error {error.get('code')}, got {answer.status}: {answer.text}"
            )
        return
    if not 200 <= answer.status < 300:
        raise ExampleError(f"answered {answer.status}: {answer.text[:500]}")
    if shown is not None:
        problems = key_differences(shown, json.loads(answer.text))
        if problems:
            raise ExampleError("the answer shown has drifted:\n  " + "\n  ".join(problems))
