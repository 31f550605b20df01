"""Static scan of a submitted notebook for signs of tampering with grading: flags for review.

``scan_submission(submitted, release)`` reads the learner's notebook next to the release it
started from and returns short human-readable flags, each naming the cell (its grade_id, or
"cell N") and the line. It runs outside the kernel, in pure Python (``ast``; nothing of the
submission is executed or imported), changes no score and never fails a submission: flagged
submissions are listed for the instructor, who looks at them. It is one layer of several: the
sandbox (the submission sees only its own folder, no network, time/memory limits) and the
in-kernel guard (which makes patching ineffective at run time) are built separately. The scan
explains *what* a learner tried, which the other layers only prevent.

The rules are about classes of behaviour, not known exploits, and every rule is a table below:

1. Metadata tampering (compared with the release, matched by nbgrader ``grade_id``): a locked or
   grade cell whose nbgrader metadata, cell type, tags or editable/deletable flags changed, or
   whose code was edited (hidden-test blocks aside; nbgrader puts it back, the instructor should
   still know); nbgrader metadata on a cell whose grade_id the release does not have; changed
   ``points``/``grade``/``locked``/``solution``; a grade_id used twice; a test cell (or locked
   code cell) deleted; any cell carrying a tag that changes how it is executed
   (``EXECUTION_TAG``: skip-execution, raises-exception, anything with "skip"...).
   Notebook-level metadata (kernelspec) is not checked: nbgrader overwrites it.
2. Code that reaches outside its exercise, in every code cell the learner could edit (all code
   cells except those the release locks, whose code nbgrader restores; IPython syntax is turned
   into Python first; a cell that does not parse is a wrong answer, not a flag):
   - changing a library: assigning, deleting or ``setattr`` on an attribute of an imported
     module or of anything reached from it (``np.allclose = f``, ``E.x = ...`` after
     ``from offrl import estimators as E``, ``getattr(np, "testing").x = ...``), item
     assignment into / mutating methods on such objects (``sys.path.append``), ``type(x).a =``,
     writes into ``globals()``/``vars()``; module-level rebinding of a name the locked cells
     import or define (``np = Fake()``) or of a builtin the tests rely on
     (``CHECKING_BUILTINS``: ``isinstance = ...``). Library settings (``LIBRARY_SETTINGS``:
     rcParams, pandas options, os.environ) and the learner's own objects are fine;
   - IPython internals (``get_ipython()``), magics outside ``ALLOWED_MAGICS`` (``%%writefile``,
     ``%%bash``, ``%load_ext x``...), ``!shell``; the code of ``%time``/``%%capture``... is scanned;
   - interpreter hooks, processes, file deletion, dynamic code: references to ``DANGEROUS``
     names and imports of ``DENIED_MODULES`` however they are reached (a call, an alias,
     ``from os import system as s``, ``getattr(os, "system")``), ``DANGEROUS_BUILTINS``
     (exec, eval, compile, __import__, get_ipython...), three-argument ``type()``, setattr passed
     around as a value, decoding of embedded literals (``DECODERS``);
   - dunder plumbing (``DUNDERS``: ``__globals__``, ``__subclasses__``, frames...; ``__class__``,
     ``__dict__``, ``__setattr__`` are fine on ``self``/``cls`` and inside the learner's classes);
   - objects that lie in comparisons: classes subclassing builtin/numpy/pandas value types or
     defining ``LYING_DUNDERS`` (``__eq__``, ``__bool__``, ``__array_ufunc__``...);
     ``unittest.mock`` (``ANY`` equals everything);
   - path literals outside the working folder (absolute outside /tmp, ``~/``, ``..``, ``"/"``
     given to open/os.walk/glob/Path) and literals naming the grader's files (gradebook.db,
     solutions, submitted, autograded, nbgrader_config.py, .pth, sitecustomize);
   - imports of modules that are neither the standard library nor an installed distribution
     (a module written to disk at run time), and relative imports;
   - ``<script>``/``onerror=`` in strings or in the learner's markdown (feedback HTML).
   A flagged statement that appears verbatim in the release's own code is the instructor's
   code (lesson 02 runs ``subprocess`` itself in an editable cell) and is not reported.

What this scan cannot see (the sandbox and the in-kernel guard are there for these):
- values, not names: a library object reached through a container, a loop variable, a
  function's return value or an attribute of the learner's own object (``[np][0].allclose = f``,
  ``for m in (np,): m.x = f``, ``cfg.module.x = f`` where ``cfg`` came from a call); only names
  bound by imports, plain assignments, tuple assignments and default arguments are followed;
- names computed at run time: ``getattr(np, "all" + "close")`` is not resolved (but setattr
  on a module is flagged whatever the name, and so are exec/eval/__import__/importlib);
- paths computed at run time (``Path.cwd().parents[2]``, ``Path(offrl.__file__).parents[1]``)
  unless a literal names a grader file; files the learner reads or writes with innocent names;
- mutation of a library object through a method that is not a container mutator
  (``offrl.SOME_OBJECT.reset()``), and rebinding of plain variables the locked cells assign
  (``CONFIG``, ``log``): honest code reuses such names, so they are not flagged;
- builtins honest code commonly shadows (``sum``, ``max``, ``min``, ``type``, ``list``, ``all``,
  ``id``...); ``from x import *``; threads via ``concurrent.futures``;
- anything that only shows when the code runs (a correct-looking function that misbehaves
  under grading by reading ``NBGRADER_EXECUTION``, resource exhaustion, timing).
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import importlib.metadata
import importlib.util
import os
import re
import sys

import nbformat

__all__ = ["scan_submission"]

# ------------------------------------------------------------------------------------------
# Rules (data)
# ------------------------------------------------------------------------------------------
#: nbgrader metadata whose change is tampering wherever the cell is
NBGRADER_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")
#: compared only when the submission has them (solutions and some front ends drop them)
NBGRADER_KEYS_IF_PRESENT = ("cell_type", "checksum")
CELL_PERMISSION_KEYS = ("editable", "deletable")
#: a tag that changes how nbclient / nbgrader execute or score a cell
EXECUTION_TAG = re.compile(r"skip|raise|exception|error|timeout|no.?exec|allow", re.I)

#: magics a learner may use; the code of %time/%timeit/%%capture... is scanned like any code
ALLOWED_MAGICS = {
    "matplotlib", "time", "timeit", "capture", "pinfo", "pinfo2", "psearch", "who", "whos",
    "precision", "autoreload", "pwd", "lsmagic", "magic", "page",
}  # fmt: skip
MAGICS_WITH_CODE = {"time", "timeit", "capture"}
ALLOWED_MAGIC_ARGS = {"load_ext": r"\s*autoreload\s*", "config": r"\s*InlineBackend\.\S+.*"}

#: importing (or reaching) these modules: why it is suspicious
DENIED_MODULES = {
    "ctypes": "raw memory access", "gc": "walks every live object", "atexit": "exit hooks",
    "signal": "signal handlers", "subprocess": "runs programs", "multiprocessing": "processes",
    "threading": "background threads", "_thread": "background threads",
    "asyncio": "code that runs between cells", "pty": "terminals", "socket": "network",
    "sqlite3": "opens databases (the gradebook is SQLite)", "marshal": "loads code objects",
    "importlib": "imports by computed name", "builtins": "the builtins namespace",
    "code": "an interpreter inside the kernel", "codeop": "compiles code", "runpy": "runs code",
    "unittest.mock": "objects equal to anything", "mock": "objects equal to anything",
    "IPython": "IPython internals", "ipykernel": "the kernel's internals",
    "nbgrader": "the grader", "nbformat": "notebook files", "nbclient": "notebook execution",
    "jupyter_client": "kernels", "grading": "the grader", "tests": "the course's tests",
    "offrl.checks": "the checks the hidden tests run",
    "sitecustomize": "start-up hooks", "usercustomize": "start-up hooks",
}  # fmt: skip
ALLOWED_SUBMODULES = ("importlib.metadata", "importlib.resources", "IPython.display")

#: reaching these names (call, alias or reference): why (fnmatch patterns on dotted names)
DANGEROUS = {
    "sys.settrace": "installs a trace hook", "sys.setprofile": "installs a profile hook",
    "sys.excepthook": "replaces the exception hook", "sys.displayhook": "the display hook",
    "sys.breakpointhook": "the breakpoint hook", "sys.unraisablehook": "a hook",
    "sys.addaudithook": "installs an audit hook", "sys.modules": "the import cache",
    "sys.meta_path": "import hooks", "sys.path_hooks": "import hooks",
    "sys.path_importer_cache": "import hooks", "sys._getframe": "frame introspection",
    "inspect.currentframe": "frame introspection", "inspect.stack": "frame introspection",
    "inspect.getouterframes": "frame introspection", "inspect.trace": "frame introspection",
    "os.system": "runs a shell command", "os.popen": "runs a shell command",
    "os.exec*": "replaces the process", "os.spawn*": "starts a process",
    "os.posix_spawn*": "starts a process", "os.fork*": "forks the kernel",
    "os.kill*": "sends signals", "os.setsid": "detaches a process",
    "os.remove": "deletes files", "os.unlink": "deletes files", "os.rmdir": "deletes folders",
    "os.removedirs": "deletes folders", "os.rename": "moves files", "os.renames": "moves files",
    "os.replace": "moves files", "os.chmod": "changes permissions", "os.chown": "changes owners",
    "os.lchown": "changes owners", "os.chdir": "leaves the working folder",
    "os.fchdir": "leaves the working folder", "os.symlink": "links files", "os.link": "links",
    "os.dup2": "redirects file descriptors", "os.putenv": "changes the environment",
    "os._exit": "kills the kernel", "os.abort": "kills the kernel", "os.truncate": "files",
    "os.register_at_fork": "fork hooks", "os.set*id": "changes the process's identity",
    "shutil.rmtree": "deletes folders", "shutil.move": "moves files", "shutil.chown": "owners",
    "pathlib.Path.home": "the home folder", "os.path.expanduser": "the home folder",
    "types.FunctionType": "builds functions from code", "types.CodeType": "builds code",
    "types.ModuleType": "builds fake modules", "pickle.loads": "unpickles embedded bytes",
    "_pickle.loads": "unpickles embedded bytes", "dill.loads": "unpickles embedded bytes",
    "cloudpickle.loads": "unpickles embedded bytes",
}  # fmt: skip
#: builtins whose mere use is a flag
DANGEROUS_BUILTINS = {
    "exec": "runs code from a string", "eval": "runs code from a string",
    "compile": "compiles code from a string", "__import__": "imports by computed name",
    "breakpoint": "starts a debugger", "get_ipython": "IPython internals",
    "__builtins__": "the builtins namespace", "__loader__": "the import machinery",
}  # fmt: skip
#: builtins a test relies on: rebinding one at module level (with a value of the learner's,
#: not an import) changes what every later test cell calls. Names honest code commonly reuses
#: as variables (sum, max, min, id, type, list, all, input, ...) are left out on purpose.
CHECKING_BUILTINS = {
    "isinstance", "issubclass", "len", "abs", "any", "round", "float", "int", "bool", "str",
    "tuple", "dict", "set", "frozenset", "repr", "hasattr", "getattr", "callable", "sorted",
    "zip", "range", "print", "super", "AssertionError", "Exception", "BaseException",
    "ValueError", "TypeError", "KeyError", "IndexError", "NotImplementedError",
}  # fmt: skip
#: decoding an embedded literal is how code is hidden from readers (and from this scan)
DECODERS = ("base64.*decode*", "codecs.decode", "zlib.decompress", "binascii.a2b_*",
            "binascii.unhexlify", "bytes.fromhex", "lzma.decompress", "bz2.decompress",
            "gzip.decompress")  # fmt: skip

#: library settings an honest notebook changes (dotted prefixes): assignment is allowed
LIBRARY_SETTINGS = ("os.environ", "matplotlib.rcParams", "matplotlib.pyplot.rcParams",
                    "pandas.options", "torch.backends")  # fmt: skip
#: methods that mutate a container in place (called on a library object that is not a module)
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear",
            "remove", "add", "discard", "__setitem__", "__delitem__"}

#: attribute names that reach interpreter internals (a `self.`/`cls.` prefix is fine for *)
DUNDERS = {
    "__class__*", "__dict__*", "__subclasses__", "__globals__", "__code__", "__closure__",
    "__defaults__", "__kwdefaults__", "__builtins__", "__bases__", "__base__", "__mro__",
    "__getattribute__", "__setattr__*", "__delattr__*", "__import__", "__loader__", "__spec__",
    "__wrapped__", "__reduce__", "__reduce_ex__", "__self__", "__func__", "f_globals",
    "f_locals", "f_back", "f_builtins", "f_code", "tb_frame", "gi_frame", "cr_frame",
    "ag_frame", "co_code", "co_consts",
}  # fmt: skip
#: defining one of these in a class makes its objects able to lie to a test
LYING_DUNDERS = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__",
    "__len__", "__contains__", "__instancecheck__", "__subclasscheck__", "__array__",
    "__array_ufunc__", "__array_function__", "__array_priority__", "__float__", "__index__",
    "__int__", "__complex__", "__abs__", "__round__",
}  # fmt: skip
VALUE_TYPES = {"str", "int", "float", "bool", "complex", "tuple", "list", "dict", "set",
               "frozenset", "bytes", "bytearray", "type"}  # fmt: skip
VALUE_TYPE_MODULES = ("numpy.", "pandas.", "collections.", "enum.IntEnum", "enum.StrEnum",
                      "enum.IntFlag", "decimal.", "fractions.")  # fmt: skip

GRADER_FILES = re.compile(
    r"(?:^|[/\\])(?:gradebook(?:\.db)?|solutions|submitted|autograded|nbgrader_config(?:\.py)?"
    r"|sitecustomize(?:\.py)?|usercustomize(?:\.py)?|[^/\\\s]+\.pth)(?:[/\\]|$)"
)
HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
PARENT_DIR = re.compile(r"(?:^|[/\\])\.\.(?:[/\\]|$)")
SCRIPT_TAG = re.compile(r"<\s*script|javascript:|\bon(?:error|load)\s*=", re.I)
_ROOT_DIRS = {"bin", "boot", "dev", "etc", "home", "lib", "lib64", "mnt", "opt", "proc", "root",
              "run", "sbin", "srv", "sys", "usr", "var", "work", "Users", "Volumes", "private"}
try:
    _ROOT_DIRS |= set(os.listdir("/"))
except OSError:  # pragma: no cover
    pass
_ROOT_DIRS -= {"tmp"}  # a scratch file in /tmp is not tampering
ABSOLUTE_PATH = re.compile(r"^(?:~[/\\]|[A-Za-z]:[/\\]|/(?P<top>[^/\s]+)(?:/\S*)?$)")
#: functions that take a path as first argument: "/" or "~" there is the whole file system
PATH_FUNCTIONS = ("open", "io.open", "pathlib.Path", "pathlib.PurePath", "os.walk",
                  "os.listdir", "os.scandir", "glob.glob", "glob.iglob", "os.path.join")

# ------------------------------------------------------------------------------------------
# Module lookup (in the scanner's own process: the same venv as the grading kernel)
# ------------------------------------------------------------------------------------------
_STDLIB = set(sys.stdlib_module_names) | {"__future__"}
_INSTALLED: set[str] | None = None
_PREFIXES = tuple({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


def _installed(top: str) -> bool:
    """Is `top` a top-level module of an installed distribution (never: the current folder)?"""
    global _INSTALLED
    if _INSTALLED is None:
        _INSTALLED = set(importlib.metadata.packages_distributions())
    if top in _STDLIB or top in _INSTALLED:
        return True
    try:  # distributions without a RECORD: accept what is found under the interpreter's prefix
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    origin = (spec and (spec.origin or next(iter(spec.submodule_search_locations or []), None)))
    return bool(origin) and os.path.realpath(origin).startswith(_PREFIXES)


def _matches(dotted: str, pattern: str) -> bool:
    return dotted == pattern or dotted.startswith(pattern + ".") or fnmatch.fnmatchcase(
        dotted, pattern
    )


@functools.lru_cache(maxsize=None)
def _denied_module(dotted: str) -> str | None:
    if any(_matches(dotted, a) for a in ALLOWED_SUBMODULES):
        return None
    for mod, why in DENIED_MODULES.items():
        if _matches(dotted, mod):
            return why
    return None


@functools.lru_cache(maxsize=None)
def _dangerous(dotted: str) -> str | None:
    for pattern, why in DANGEROUS.items():
        if _matches(dotted, pattern):
            return why
    return _denied_module(dotted)


@functools.lru_cache(maxsize=None)
def _setting(dotted: str) -> bool:
    return any(_matches(dotted, s) for s in LIBRARY_SETTINGS)


def _dunder(attr: str) -> tuple[bool, bool]:
    """(is a flagged dunder, is fine on self/cls)"""
    if attr in DUNDERS:
        return True, False
    return (attr + "*" in DUNDERS), True


# ------------------------------------------------------------------------------------------
# Code scan
# ------------------------------------------------------------------------------------------
_TRANSFORMER = None


@functools.lru_cache(maxsize=4096)
def _to_python(source: str) -> str:
    global _TRANSFORMER
    if _TRANSFORMER is None:
        from IPython.core.inputtransformer2 import TransformerManager

        _TRANSFORMER = TransformerManager()
    try:
        return _TRANSFORMER.transform_cell(source)
    except Exception:  # IPython could not make sense of it: scan it as plain Python
        return source


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> ast.Module | None:  # cached: the walk only reads the tree
    try:
        flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # IPython allows `await`
        return _annotate(compile(_to_python(source), "<cell>", "exec", flags))
    except (SyntaxError, ValueError, RecursionError):
        return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _const_str(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


_DEFINED = "<defined by a locked cell>"


def _annotate(node, stmt=None):
    """Give every node `_stmt`: the innermost statement holding it (what a flag quotes)."""
    stmt = node if isinstance(node, ast.stmt) else stmt
    node._stmt = stmt
    for child in ast.iter_child_nodes(node):
        _annotate(child, stmt)
    return node


class _Scan(ast.NodeVisitor):
    """One walk over a cell's AST. `aliases` (name -> dotted library path) and `protected`
    (names the locked cells import or define) are shared by all cells of the notebook;
    `report` is None for the instructor's locked cells (walked only to learn their names)."""

    def __init__(self, aliases, protected, report, source, line_offset=0):
        self.aliases, self.protected, self.report = aliases, protected, report
        self.source, self.offset = source, line_offset
        self.depth = 0  # > 0 inside functions, lambdas, comprehensions and class bodies
        self.in_class = 0
        self.globals: set[str] = set()

    # -- helpers --------------------------------------------------------------------------
    def flag(self, node, message):
        if self.report is not None:
            stmt = getattr(node, "_stmt", node)
            segment = ast.get_source_segment(self.source, stmt) or ""
            self.report(getattr(node, "lineno", 1) + self.offset, message, segment)

    def resolve(self, node) -> str | None:
        """The dotted library path `node` names, if it is reached from an import."""
        if isinstance(node, ast.Name):
            if node.id == "__builtins__":
                return "builtins"
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "getattr" and len(node.args) >= 2:
                base, name = self.resolve(node.args[0]), _const_str(node.args[1])
                return f"{base}.{name}" if base and name else None
        if isinstance(node, ast.Subscript):  # sys.modules["numpy"]
            if self.resolve(node.value) == "sys.modules" and _const_str(node.slice):
                return _const_str(node.slice)
        return None

    def bind(self, name, dotted, node):
        """`name` is (re)bound at this point to `dotted` (None: to a value of the learner's)."""
        module_level = self.depth == 0 or name in self.globals
        if module_level and self.report is None:  # the instructor's locked cells
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.protected[name] = dotted
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.protected[name] = _DEFINED
        elif module_level and name in self.protected and self.protected[name] != dotted:
            what = "define" if self.protected[name] is _DEFINED else "import"
            self.flag(node, f"rebinds {name!r}, which the locked cells {what} and the tests use")
        elif module_level and name in CHECKING_BUILTINS and not dotted:
            self.flag(node, f"rebinds the builtin {name!r} for every later cell (the tests use it)")
        if dotted:
            self.aliases[name] = dotted
        else:
            self.aliases.pop(name, None)

    def check_import(self, dotted, node):
        why = _denied_module(dotted)
        if why:
            self.flag(node, f"imports {dotted} ({why})")
            return
        why = _dangerous(dotted)
        if why:
            self.flag(node, f"imports {dotted} ({why})")
            return
        top = dotted.split(".")[0]
        if not _installed(top):
            self.flag(node, f"imports {top}, which is neither the standard library nor an "
                            "installed package (a module written at run time?)")  # fmt: skip

    def check_reference(self, dotted, node):
        why = _dangerous(dotted)
        if why:
            self.flag(node, f"uses {dotted} ({why})")

    def scoped(self, visit, names=()):
        saved, saved_globals = dict(self.aliases), set(self.globals)
        self.depth += 1
        for n in names:
            self.aliases.pop(n, None)
        try:
            visit()
        finally:
            self.depth -= 1
            self.aliases.clear()
            self.aliases.update(saved)
            self.globals = saved_globals

    # -- statements -----------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            self.check_import(a.name, node)
            if a.asname:
                self.bind(a.asname, a.name, node)
            else:
                self.bind(a.name.split(".")[0], a.name.split(".")[0], node)

    def visit_ImportFrom(self, node):
        if node.level:
            self.flag(node, "relative import (no package here: a file written at run time?)")
            return
        mod = node.module or ""
        for a in node.names:
            full = mod if a.name == "*" else f"{mod}.{a.name}"
            self.check_import(full, node)
            if a.name != "*":
                self.bind(a.asname or a.name, full, node)

    def _function(self, node):
        for d in node.decorator_list:
            self.visit(d)
        args = node.args
        for default in args.defaults + [d for d in args.kw_defaults if d]:
            self.visit(default)
        self.bind(node.name, None, node)
        params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        params += [a.arg for a in (args.vararg, args.kwarg) if a]
        positional = args.posonlyargs + args.args
        defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]],
                            args.defaults))  # fmt: skip
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d})
        library_defaults = {n: self.resolve(d) for n, d in defaults.items() if self.resolve(d)}

        def body():
            self.aliases.update(library_defaults)  # def f(m=np): m.allclose = ...
            for stmt in node.body:
                self.visit(stmt)

        self.scoped(body, params)

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node):
        params = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        self.scoped(lambda: self.visit(node.body), params)

    def _comprehension(self, node):
        self.scoped(lambda: self.generic_visit(node))

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Global(self, node):
        self.globals.update(node.names)

    def visit_ClassDef(self, node):
        for base in node.bases:
            name = base.id if isinstance(base, ast.Name) and base.id not in self.aliases else None
            dotted = self.resolve(base) or ""
            if name in VALUE_TYPES or dotted.startswith(VALUE_TYPE_MODULES):
                self.flag(node, f"class {node.name} subclasses {name or dotted} "
                                "(its objects can pass for values in comparisons)")  # fmt: skip
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        for stmt in node.body:
            names = []
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [stmt.name]
            elif isinstance(stmt, ast.Assign):
                names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            for n in names:
                if n in LYING_DUNDERS:
                    self.flag(stmt, f"class {node.name} defines {n} "
                                    "(its objects can lie to a test's comparisons)")  # fmt: skip
        for d in node.decorator_list:
            self.visit(d)
        self.bind(node.name, None, node)

        def body():
            self.in_class += 1
            for stmt in node.body:
                self.visit(stmt)
            self.in_class -= 1

        self.scoped(body)

    def visit_Assign(self, node):
        self.visit(node.value)
        dotted = self.resolve(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(target.id, dotted, node)
            elif (isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                  and len(target.elts) == len(node.value.elts)):  # fmt: skip
                for t, v in zip(target.elts, node.value.elts):
                    if isinstance(t, ast.Name):
                        self.bind(t.id, self.resolve(v), node)
                    else:
                        self.visit(t)
            else:
                self.visit(target)

    def visit_AnnAssign(self, node):
        if node.value:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, self.resolve(node.value) if node.value else None, node)
        else:
            self.visit(node.target)

    # -- expressions ----------------------------------------------------------------------
    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node.id, None, node)
            return
        if node.id in DANGEROUS_BUILTINS and node.id not in self.aliases:
            self.flag(node, f"uses {node.id} ({DANGEROUS_BUILTINS[node.id]})")
        elif node.id in ("setattr", "delattr") and not getattr(node, "_called", False):
            self.flag(node, f"passes {node.id} around (patches objects out of sight)")
        elif node.id in self.aliases:
            self.check_reference(self.aliases[node.id], node)

    def visit_Attribute(self, node):
        flagged, self_ok = _dunder(node.attr)
        on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        own = on_self or (self.in_class and not self.resolve(node.value))
        if flagged and not (self_ok and own):
            self.flag(node, f"reaches {node.attr} (interpreter internals)")
        base = self.resolve(node.value)
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            verb = "assigns" if isinstance(node.ctx, ast.Store) else "deletes"
            if base and not _setting(f"{base}.{node.attr}"):
                what = "an attribute of a library the tests use"
                self.flag(node, f"{verb} {base}.{node.attr} ({what})")
            elif _is_call_to(node.value, "type"):
                self.flag(node, f"{verb} an attribute of a type() (patches a class)")
        dotted = self.resolve(node)
        if dotted:  # a chain of names: judged once as a whole
            if isinstance(node.ctx, ast.Load):
                self.check_reference(dotted, node)
            return
        self.visit(node.value)

    def visit_Subscript(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            base = self.resolve(node.value)
            if base and not _setting(base):
                self.flag(node, f"changes an item of {base} (a library object the tests use)")
            elif any(_is_call_to(node.value, f) for f in ("globals", "vars", "locals")):
                self.flag(node, f"writes into {node.value.func.id}() (rebinds names by string)")
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        if self._ipython(node):
            return
        name = func.id if isinstance(func, ast.Name) and func.id not in self.aliases else None
        if name:
            func._called = True
        args = node.args
        if name in ("setattr", "delattr") and args:
            target = self.resolve(args[0])
            attr = _const_str(args[1]) if len(args) > 1 else None
            if target and not _setting(f"{target}.{attr}"):
                self.flag(node, f"{name} on {target} (changes a library the tests use)")
            elif attr and _dunder(attr)[0]:
                self.flag(node, f"{name}(..., {attr!r}) (interpreter internals)")
            elif args and _is_call_to(args[0], "type"):
                self.flag(node, f"{name} on a type() (patches a class)")
        elif name in ("getattr", "hasattr") and len(args) > 1:
            attr = _const_str(args[1])
            if attr and _dunder(attr)[0] and not (
                _dunder(attr)[1] and isinstance(args[0], ast.Name) and args[0].id in ("self", "cls")
            ):
                self.flag(node, f"{name}(..., {attr!r}) (interpreter internals)")
        elif name == "type" and len(args) == 3:
            self.flag(node, "builds a class with type(name, bases, dict)")
        elif name == "vars" and args and self.resolve(args[0]):
            self.flag(node, f"reads the namespace of {self.resolve(args[0])} (vars())")
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
            base = self.resolve(func.value)
            if base and "." in base and not _setting(base) and not _is_module(base):
                self.flag(node, f"modifies {base} in place (.{func.attr})")
            elif any(_is_call_to(func.value, f) for f in ("globals", "vars", "locals")):
                self.flag(node, f"writes into {func.value.func.id}() (rebinds names by string)")
        dotted = self.resolve(func) or ""
        if isinstance(func, ast.Attribute) and _is_name(func.value, "bytes", "bytearray", "str"):
            dotted = f"{func.value.id}.{func.attr}"
        if any(fnmatch.fnmatchcase(dotted, p) for p in DECODERS) and any(
            isinstance(a, ast.Constant) for a in args
        ):
            self.flag(node, f"decodes an embedded literal with {dotted} (hidden code?)")
        if (dotted in PATH_FUNCTIONS or name == "open") and args and _const_str(args[0]) in (
            "/", "~", "\\",
        ):
            self.flag(node, f"{dotted or name}({_const_str(args[0])!r}): the whole file system")
        self.generic_visit(node)

    def _ipython(self, node) -> bool:
        """get_ipython().method(...): magics, shell commands, internals. True if handled."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and _is_call_to(func.value, "get_ipython")):
            return False
        if "get_ipython" in self.aliases:
            return False
        method, args = func.attr, node.args
        magic, arg = (_const_str(args[0]) if args else None), (
            _const_str(args[1]) if len(args) > 1 else None
        )
        if method in ("run_line_magic", "run_cell_magic") and magic is not None:
            prefix = "%" if method == "run_line_magic" else "%%"
            allowed = magic in ALLOWED_MAGICS or (
                magic in ALLOWED_MAGIC_ARGS
                and re.fullmatch(ALLOWED_MAGIC_ARGS[magic], arg or "") is not None
            )
            if not allowed:
                self.flag(node, f"{prefix}{magic} magic (only {', '.join(sorted(ALLOWED_MAGICS))} "
                                "are expected)")  # fmt: skip
            elif magic in MAGICS_WITH_CODE:
                code = (_const_str(args[2]) if len(args) > 2 else None) if prefix == "%%" else arg
                self._scan_magic_code(code or "", node, prefix == "%%")
        elif method in ("system", "getoutput"):
            self.flag(node, f"!shell command {(magic or '')[:60]!r}")
        else:
            self.flag(node, f"uses get_ipython().{method} (IPython internals)")
        for a in args:
            if not isinstance(a, ast.Constant):
                self.visit(a)
        return True

    def _scan_magic_code(self, code, node, cell_magic):
        if not cell_magic:  # %time / %timeit options come before the statement
            code = re.sub(r"^\s*(?:-[a-z]\s*(?:\d+\s+)?)*", "", code)
        tree = _parse(code)
        if tree is None:
            return
        inner = _Scan(self.aliases, self.protected, self.report, _to_python(code),
                      self.offset + node.lineno - (0 if cell_magic else 1))  # fmt: skip
        inner.depth, inner.globals = self.depth, self.globals
        for stmt in tree.body:
            inner.visit(stmt)

    def visit_Constant(self, node):
        text = node.value if isinstance(node.value, str) else None
        if text is None and isinstance(node.value, bytes):
            text = node.value.decode("latin-1")
        if text is None:
            return
        whole = not getattr(node, "_fragment", False)
        m = ABSOLUTE_PATH.match(text) if (whole or getattr(node, "_first", False)) else None
        if GRADER_FILES.search(text):
            self.flag(node, f"names the grader's files: {text[:60]!r}")
        elif PARENT_DIR.search(text):
            self.flag(node, f"path above the working folder: {text[:60]!r}")
        elif m and (m.group("top") is None or m.group("top") in _ROOT_DIRS
                    or re.search(r"[*?\[]", m.group("top"))) and (
            text != "/dev/null"
        ):
            self.flag(node, f"absolute path outside the working folder: {text[:60]!r}")
        if SCRIPT_TAG.search(text):
            self.flag(node, "embeds a <script> (would run in the instructor's browser)")

    def visit_JoinedStr(self, node):
        for i, part in enumerate(node.values):
            if isinstance(part, ast.Constant):
                part._fragment, part._first = True, i == 0
        self.generic_visit(node)


def _is_call_to(node, name: str) -> bool:
    return isinstance(node, ast.Call) and _is_name(node.func, name)


def _is_name(node, *names: str) -> bool:
    return isinstance(node, ast.Name) and node.id in names


@functools.lru_cache(maxsize=None)
def _is_module(dotted: str) -> bool:
    """Is `dotted` a submodule of an installed package (``np.char.add`` is a function call,
    ``sys.path.append`` is not)? Looked up on disk, importing nothing."""
    top, *rest = dotted.split(".")
    if not rest or not _installed(top):
        return not rest
    try:
        spec = importlib.util.find_spec(top)  # locates, does not import, a top-level name
    except (ImportError, ValueError):
        return False
    folders = list((spec and spec.submodule_search_locations) or [])
    for part in rest:
        found = []
        for folder in folders:
            if os.path.isfile(os.path.join(folder, part, "__init__.py")):
                found.append(os.path.join(folder, part))
            elif any(f.split(".")[0] == part and f.endswith((".py", ".so", ".pyd"))
                     for f in _listdir(folder)):  # fmt: skip
                return part == rest[-1]
        if not found:
            return False
        folders = found
    return True


@functools.lru_cache(maxsize=None)
def _listdir(folder: str) -> tuple[str, ...]:
    try:
        return tuple(os.listdir(folder))
    except OSError:
        return ()


# ------------------------------------------------------------------------------------------
# Metadata
# ------------------------------------------------------------------------------------------
def _nbg(cell) -> dict:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def _tags(cell) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", []) or []
    return [str(t) for t in tags] if isinstance(tags, list) else [str(tags)]


def _label(cell, index: int) -> str:
    gid = _nbg(cell).get("grade_id")
    return str(gid) if gid else f"cell {index}"


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def _metadata_flags(submitted, release) -> list[str]:
    flags = []
    rel_cells = {}
    for cell in release.cells:
        gid = _nbg(cell).get("grade_id")
        if gid:
            rel_cells[gid] = cell
    seen: dict[str, int] = {}
    for i, cell in enumerate(submitted.cells):
        label, meta = _label(cell, i), _nbg(cell)
        gid = meta.get("grade_id")
        rel = rel_cells.get(gid) if gid else None
        rel_tags = set(_tags(rel)) if rel is not None else set()
        for tag in _tags(cell):
            if EXECUTION_TAG.search(tag) and tag not in rel_tags:
                flags.append(f"{label}: tag {tag!r} changes how the cell is executed or scored")
        if not meta:
            continue
        if gid:
            seen[gid] = seen.get(gid, 0) + 1
            if seen[gid] == 2:
                flags.append(f"{label}: grade_id {gid!r} is used by more than one cell")
        if rel is None:
            flags.append(f"{label} (cell {i}): nbgrader metadata that the release does not have "
                         f"({', '.join(f'{k}={v!r}' for k, v in sorted(meta.items()))})")
            continue
        rmeta = _nbg(rel)
        changed = [k for k in NBGRADER_KEYS if not _same(meta.get(k), rmeta.get(k))]
        changed += [k for k in NBGRADER_KEYS_IF_PRESENT if k in meta and meta[k] != rmeta.get(k)]
        for k in changed:
            flags.append(f"{label}: nbgrader metadata {k!r} changed from {rmeta.get(k)!r} "
                         f"to {meta.get(k)!r}")  # fmt: skip
        if rmeta.get("locked") or rmeta.get("grade"):
            if (cell.cell_type == rel.cell_type == "code"
                    and _norm(HIDDEN_TESTS.sub("", cell.source)) != _norm(rel.source)):  # fmt: skip
                flags.append(f"{label}: locked cell edited (nbgrader puts the original back)")
            if cell.cell_type != rel.cell_type:
                flags.append(
                    f"{label}: locked cell turned from {rel.cell_type} into {cell.cell_type}"
                )
            if set(_tags(cell)) != rel_tags:
                flags.append(f"{label}: tags of a locked cell changed from {sorted(rel_tags)} "
                             f"to {sorted(_tags(cell))}")  # fmt: skip
            for k in CELL_PERMISSION_KEYS:
                md, rmd = cell.get("metadata", {}), rel.get("metadata", {})
                if k in md and md[k] != rmd.get(k, True):
                    flags.append(f"{label}: metadata {k!r} of a locked cell changed to {md[k]!r}")
    for gid, rel in rel_cells.items():
        if gid in seen:
            continue
        rmeta = _nbg(rel)
        if rmeta.get("grade") and rel.cell_type == "code":
            flags.append(f"test cell {gid} deleted (or its nbgrader metadata removed)")
        elif rmeta.get("locked") and rel.cell_type == "code":
            flags.append(f"locked cell {gid} deleted (or its nbgrader metadata removed)")
    return flags


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------
def scan_submission(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Flags (short human-readable strings, each naming the cell's grade_id or index and the line)."""
    flags = _metadata_flags(submitted, release)

    rel_locked, rel_cells = {}, {}
    release_code = []
    for cell in release.cells:
        meta = _nbg(cell)
        if meta.get("grade_id"):
            rel_cells[meta["grade_id"]] = cell
        if cell.cell_type == "code":
            release_code.append(_norm(_to_python(cell.source)))
            if meta.get("locked") and meta.get("grade_id"):
                rel_locked[meta["grade_id"]] = cell
    release_text = "\n".join(release_code)

    # names the instructor's locked cells import or define (in the release's order)
    aliases: dict[str, str] = {}
    protected: dict[str, str | None] = {}
    for cell in rel_locked.values():
        tree = _parse(cell.source)
        if tree is not None:
            walker = _Scan(aliases, protected, None, _to_python(cell.source))
            for stmt in tree.body:
                walker.visit(stmt)
    aliases.clear()

    seen = set()
    for i, cell in enumerate(submitted.cells):
        gid = _nbg(cell).get("grade_id")
        if cell.cell_type != "code":
            locked_md = gid in rel_cells and _nbg(rel_cells[gid]).get("locked")
            if not locked_md and SCRIPT_TAG.search(cell.source or ""):
                flags.append(f"{_label(cell, i)}: {cell.cell_type} cell embeds a <script> "
                             "(would run in the instructor's browser)")  # fmt: skip
            continue
        gid = _nbg(cell).get("grade_id")
        locked = gid in rel_locked
        source = rel_locked[gid].source if locked else cell.source  # nbgrader restores locked cells
        tree = _parse(source)
        if tree is None:
            continue
        label = _label(cell, i)

        def report(line, message, segment, label=label):
            if segment and _norm(segment) in release_text:
                return  # the instructor's own statement, shipped in the release
            text = f"{label} line {line}: {message}"
            if text not in seen:
                seen.add(text)
                flags.append(text)

        walker = _Scan(aliases, {} if locked else protected, None if locked else report,
                       _to_python(source))  # fmt: skip
        for stmt in tree.body:
            walker.visit(stmt)
    return flags
