"""In-kernel tamper guard for autograded notebooks (an IPython extension).

Load it before any learner code runs::

    python -m ipykernel_launcher ... --IPKernelApp.extensions=["grading.guard"]

with ``OFFRL_GUARD_CELLS`` naming a JSON file ``{"grade_cells": ["<sha256 hex>", ...]}`` (the
sha256 of each grade cell's exact source, see :func:`grade_cell_hash`). Optional keys:
``"pinned": {"name": "dotted.path"}`` (notebook names the test cells rely on, restored before each
grade cell; ``np``, ``numpy``, ``math``, ``offrl`` are always pinned when present). The file is read
once at load and the variable is removed from ``os.environ``. Without the variable the guard still
loads and snapshots, but no cell is a grade cell (so it publishes no report: the runner then sees
every report missing, which is the safe failure).

At load the guard imports numpy, numpy.testing, math and the light part of the ``offrl`` tree
(everything but ``offrl.plots``, ~1.1 s of matplotlib, and ``offrl.recording``, ~14 s of
Ray/torch, which are snapshotted when first seen in ``sys.modules``) and snapshots, in private
closures:

* **strict** modules (numpy.*, math, offrl.*): every module-dict entry, the module's class, its
  ``sys.modules`` entry; every function's ``__code__``/defaults/closure cells; every class's dict;
* **kernel** modules (IPython, ipykernel, jupyter_client, zmq, traitlets, comm): module-dict entries
  that are functions/classes/modules, class dicts and function code (data globals there change
  legitimately and are not touched);
* ``builtins``, hooks in ``sys`` (trace/profile/excepthook/displayhook), ``threading`` trace and
  profile hooks, ``gc.callbacks``, signal handlers, the shell's transformer lists, AST
  transformers, custom exception handler, builtin trap, the instance attributes of the shell /
  kernel / display objects that shadow class methods, and the registered event callbacks.

Before each grade cell (in a wrapper around ``shell.transform_cell``, i.e. before the cell is
transformed, and again in a ``pre_run_cell`` hook in case the wrapper was bypassed) everything is
compared with the snapshot, restored, and each difference is named; the ``pre_run_cell`` hook
publishes exactly one report per grade cell as display data of type :data:`GUARD_MIME`:
``{"cell": sha, "tampered": [...], "n": k}``. It also reports (cannot undo) notebook objects
whose class is learner-defined and overrides comparison/truth/conversion dunders or subclasses a
builtin/numpy type, and learner-started threads; notebook names that shadow builtins are hidden
during the grade cell and put back after it.

This runs inside the learner's process: code that runs before it (none, if loaded as above) or
that defeats it at the C level, in other threads, or through objects it does not know, can still
cheat. It is one layer: the static scan of submissions, the runner's report checks (missing,
duplicate, forged reports) and the sandbox are the others.
"""

from __future__ import annotations

import hashlib
import types

__all__ = ["GUARD_MIME", "grade_cell_hash", "load_ipython_extension", "unload_ipython_extension"]

GUARD_MIME = "application/x-offrl-guard+json"
ENV_VAR = "OFFRL_GUARD_CELLS"

# Imported at load time only if cheap; the rest is snapshotted on first sight.
_LAZY_OFFRL = ("offrl.plots", "offrl.recording", "offrl.__main__")
_STRICT_ROOTS = ("numpy", "math", "offrl")
_KERNEL_ROOTS = ("IPython", "ipykernel", "jupyter_client", "zmq", "traitlets", "comm",
                 # stdlib modules test code and numpy.testing lean on (callables only)
                 "operator", "functools", "collections", "contextlib", "unittest", "re", "json",
                 "copy", "dataclasses", "traceback", "linecache", "ast", "codeop", "inspect",
                 "types", "abc", "enum", "hashlib", "hmac", "difflib", "pprint", "textwrap")
_DEFAULT_PINS = {"np": "numpy", "numpy": "numpy", "math": "math", "offrl": "offrl"}
# builtins entries IPython/ipykernel themselves set around every cell (input: stdin forwarding)
_BUILTINS_VOLATILE = frozenset({"_", "__", "___", "exit", "quit", "get_ipython", "display",
                                "__IPYTHON__", "dreload", "__loader__", "__spec__", "input",
                                "raw_input"})
_SHELL_ATTRS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
_SHELL_OBJ_ATTRS = ("input_transformer_manager", "custom_exceptions", "CustomTB", "events",
                    "display_pub", "displayhook", "builtin_trap", "display_trap", "compile",
                    "kernel", "InteractiveTB", "SyntaxTB", "prefilter_manager", "user_module",
                    "user_ns")
_SUSPECT_DUNDERS = frozenset(
    "__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __bool__ __len__ __hash__ __class__ __getattr__ "
    "__getattribute__ __instancecheck__ __float__ __int__ __index__ __complex__ __abs__ __round__ "
    "__sub__ __rsub__ __add__ __radd__ __mul__ __rmul__ __truediv__ __rtruediv__ __neg__ "
    "__contains__ __iter__ __getitem__ __array__ __array_ufunc__ __array_function__ "
    "__array_interface__ __array_priority__ __array_wrap__ __array_finalize__".split())
_HEAPTYPE = 1 << 9


def grade_cell_hash(source: str) -> str:
    """sha256 hex digest of a grade cell's exact source (what the runner lists in the JSON)."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _in_roots(name: str, roots) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def _is_learner_code(code) -> bool:
    fn = getattr(code, "co_filename", "") or ""
    return (not isinstance(fn, str) or fn.startswith("<ipython-input") or "ipykernel_" in fn
            or fn.startswith("<cell"))


def _from_learner(v, depth: int = 0) -> bool:
    """Whether `v` is (or wraps) code written in the notebook. Libraries legitimately patch the
    stdlib and IPython (Ray wraps ``inspect.getfile``...): in the non-strict modules only a
    replacement that comes from the notebook is restored and reported."""
    if depth > 4:
        return False
    code = getattr(v, "__code__", None)
    if code is None:
        code = getattr(getattr(v, "__func__", None), "__code__", None)
    if code is not None:
        return _is_learner_code(code)
    if isinstance(v, type) or callable(v):
        if getattr(v, "__module__", None) == "__main__":
            return True
    for attr in ("func", "__wrapped__"):  # functools.partial, decorators
        inner = getattr(v, attr, None)
        if inner is not None and inner is not v:
            return _from_learner(inner, depth + 1)
    return False


def _same(a, b) -> bool:
    """Same length and the same objects in order (never calls a learner ``__eq__``)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _has(seq, obj) -> bool:
    return any(x is obj for x in seq)


def _learner_callable(obj) -> bool:
    """A function, method or callable object whose code comes from a notebook cell."""
    fn = getattr(obj, "__func__", obj)
    code = getattr(fn, "__code__", None)
    if code is not None:
        return _is_learner_code(code)
    call = getattr(type(obj), "__call__", None)
    return _is_learner_code(getattr(call, "__code__", None)) if call is not None else False


def load_ipython_extension(ip) -> None:  # noqa: C901 - one closure keeps the snapshot private

    import builtins
    import gc
    import importlib
    import json
    import os
    import pkgutil
    import signal
    import sys
    import threading
    import time

    if getattr(ip, "_offrl_guard_loaded", False):
        return
    t_start = time.perf_counter()

    # ---- configuration -------------------------------------------------------------------------
    grade_hashes: frozenset = frozenset()
    pins = dict(_DEFAULT_PINS)
    cfg_problem = None
    path = os.environ.pop(ENV_VAR, None)
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
            grade_hashes = frozenset(str(h).lower() for h in cfg.get("grade_cells", ()))
            pins.update({str(k): str(v) for k, v in (cfg.get("pinned") or {}).items()})
        except Exception as e:  # reported in the first grade report (there may be none)
            cfg_problem = f"guard configuration unreadable: {type(e).__name__}"

    # ---- imports -------------------------------------------------------------------------------
    import numpy
    import numpy.testing  # noqa: F401
    import math  # noqa: F401

    try:
        import offrl

        for m in pkgutil.walk_packages(offrl.__path__, "offrl."):
            if m.name not in _LAZY_OFFRL and m.name not in sys.modules:
                try:
                    importlib.import_module(m.name)
                except Exception:
                    pass
    except Exception:
        offrl = None

    # ---- snapshot structures (private to this closure) ------------------------------------------
    FunctionType = types.FunctionType
    ModuleType = types.ModuleType
    mods: dict[str, tuple] = {}  # name -> (module, module class, snapshot dict, strict)
    classes: dict[int, tuple] = {}  # id -> (cls, dict copy)
    funcs: dict[int, tuple] = {}  # id -> (fn, code, defaults, kwdefaults, cells, strict)
    _missing = object()

    def snap_func(fn, strict):
        seen = 0
        while isinstance(fn, FunctionType) and id(fn) not in funcs and seen < 8:
            cells = None
            if strict and fn.__closure__:
                cells = []
                for c in fn.__closure__:
                    try:
                        cells.append((c, c.cell_contents))
                    except ValueError:
                        cells.append((c, _missing))
            funcs[id(fn)] = (fn, fn.__code__, fn.__defaults__, fn.__kwdefaults__, cells)
            impl = getattr(fn, "_implementation", None)
            if isinstance(impl, FunctionType):
                snap_func(impl, strict)
            fn = getattr(fn, "__wrapped__", None)
            seen += 1

    def snap_value(v, strict):
        if isinstance(v, FunctionType):
            snap_func(v, strict)
        elif isinstance(v, (staticmethod, classmethod)):
            snap_func(v.__func__, strict)
        elif isinstance(v, property):
            for f in (v.fget, v.fset, v.fdel):
                snap_func(f, strict)
        else:
            impl = (type(v).__name__ == "_ArrayFunctionDispatcher"
                    and getattr(v, "_implementation", None))
            if isinstance(impl, FunctionType):  # numpy's C dispatchers wrap a Python function
                snap_func(impl, strict)

    def snap_class(cls, strict=True):
        if id(cls) in classes or not (cls.__flags__ & _HEAPTYPE):
            return
        d = dict(cls.__dict__)
        classes[id(cls)] = (cls, d)
        for v in d.values():
            snap_value(v, strict)

    first_sight: list = []  # learner code found in a module snapshotted after load

    def snap_module(name, mod, strict, late=False):
        if name in mods or not isinstance(mod, ModuleType):
            return
        d = mod.__dict__
        if late and strict:
            first_sight.extend(
                f"{name}.{k} was replaced before the guard saw the module"
                for k, v in list(d.items())
                if (isinstance(v, FunctionType) and _is_learner_code(v.__code__))
                or (isinstance(v, type) and v.__module__ == "__main__"))
        if strict:
            snap = dict(d)
        else:
            snap = {k: v for k, v in d.items()
                    if isinstance(v, (FunctionType, type, ModuleType))}
        mods[name] = (mod, type(mod), snap, strict)
        for k, v in snap.items():
            if isinstance(v, type):
                if getattr(v, "__module__", None) == name:
                    snap_class(v, strict)
            elif getattr(v, "__module__", None) == name or strict:
                snap_value(v, strict)

    def snap_new_modules(late=True):
        if len(sys.modules) == seen_modules[0]:
            return
        for name, mod in list(sys.modules.items()):
            if name not in mods:
                if _in_roots(name, _STRICT_ROOTS):
                    snap_module(name, mod, True, late)
                elif _in_roots(name, _KERNEL_ROOTS):
                    snap_module(name, mod, False, late)
        seen_modules[0] = len(sys.modules)

    seen_modules = [0]
    snap_new_modules(late=False)
    for obj in (ip, getattr(ip, "kernel", None), ip.display_pub, ip.displayhook,
                getattr(ip.displayhook, "session", None), getattr(ip.displayhook, "pub_socket", None),
                getattr(getattr(ip, "kernel", None), "session", None),
                getattr(getattr(ip, "kernel", None), "iopub_thread", None),
                ip.events, ip.builtin_trap, ip.display_trap, ip.compile, ip.input_transformer_manager,
                ip.prefilter_manager):
        if obj is not None:
            for c in type(obj).__mro__:
                snap_class(c, False)

    builtins_snap = {k: v for k, v in builtins.__dict__.items() if k not in _BUILTINS_VOLATILE}
    sys_names = ("settrace", "gettrace", "setprofile", "getprofile", "modules", "meta_path",
                 "exc_info", "_getframe", "audit", "call_tracing")
    sys_snap = {k: getattr(sys, k) for k in sys_names if hasattr(sys, k)}
    # hooks libraries replace legitimately (ray sets sys.excepthook): restored when notebook code
    sys_hooks = {k: getattr(sys, k) for k in ("excepthook", "displayhook", "breakpointhook",
                                              "unraisablehook") if hasattr(sys, k)}
    th_excepthook0 = getattr(threading, "excepthook", None)
    trace0, profile0 = sys.gettrace(), sys.getprofile()
    th_trace0 = getattr(threading, "_trace_hook", None)
    th_prof0 = getattr(threading, "_profile_hook", None)
    meta_path0 = list(sys.meta_path)
    signals0 = {}
    for sname in ("SIGALRM", "SIGVTALRM", "SIGPROF", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGCHLD"):
        num = getattr(signal, sname, None)
        if num is not None:
            try:
                signals0[num] = (sname, signal.getsignal(num))
            except Exception:
                pass
    threads0 = {id(t) for t in threading.enumerate()}

    shell_lists = {a: list(getattr(ip, a)) for a in _SHELL_ATTRS}
    itm = ip.input_transformer_manager
    itm_lists = {a: list(v) for a, v in vars(itm).items() if isinstance(v, list)}
    shell_objs = {a: getattr(ip, a, _missing) for a in _SHELL_OBJ_ATTRS}
    auto_builtins0 = dict(getattr(ip.builtin_trap, "auto_builtins", {}) or {})
    obj_dicts = []  # (object, description, {attr: value} of instance attributes at load)

    identity_attrs = ("session", "pub_socket", "shell", "callbacks", "auto_builtins", "parent",
                      "iopub_socket", "iopub_thread", "pack", "unpack", "auth", "digest_mod")

    def watch_instance(obj, desc):
        """Callables in the instance dict, plus the sub-objects named in identity_attrs."""
        if obj is None or not hasattr(obj, "__dict__"):
            return
        d = vars(obj)
        snap = {k: v for k, v in d.items() if callable(v) and not isinstance(v, type)}
        for k in identity_attrs:
            try:
                v = getattr(obj, k)
            except Exception:
                continue
            snap[k] = v
        obj_dicts.append((obj, desc, snap, set(d)))

    kernel = getattr(ip, "kernel", None)
    dh = ip.displayhook
    for obj, desc in ((dh, "the display hook"), (ip.display_pub, "the display publisher"),
                      (getattr(dh, "session", None), "the kernel session"),
                      (getattr(kernel, "session", None), "the kernel session"),
                      (ip.events, "the event manager"), (ip.compile, "the compiler"),
                      (ip.builtin_trap, "the builtin trap"), (itm, "the input transformer manager")):
        watch_instance(obj, desc)
    # shell and kernel: only attributes naming methods (their other state changes all the time)
    method_shadow = []
    for obj, desc in ((ip, "shell"), (kernel, "kernel")):
        if obj is None:
            continue
        callables = {k for c in type(obj).__mro__ for k, v in vars(c).items()
                     if isinstance(v, (FunctionType, staticmethod, classmethod))}
        method_shadow.append((obj, desc, callables,
                              {k: v for k, v in vars(obj).items() if k in callables}))

    callbacks0 = {ev: list(cbs) for ev, cbs in ip.events.callbacks.items()}

    # ---- compare and restore -------------------------------------------------------------------
    def describe(obj):
        return getattr(obj, "__qualname__", None) or type(obj).__name__

    def restore_all(out: list, light: bool = False):
        """Put every guarded object back; append one sentence per difference to ``out``.

        ``light`` skips the module/class/function walk (~3/4 of the cost): used for the second
        check of a cell whose full check ran moments before, with only kernel code in between.
        """
        # sys first: a tracer or profiler could interfere with everything below
        for k, v in sys_snap.items():
            if sys.__dict__.get(k, _missing) is not v:
                setattr(sys, k, v)
                out.append(f"sys.{k} was replaced")
        for k, v in sys_hooks.items():
            cur = getattr(sys, k, _missing)
            if cur is not v:
                if cur is _missing or _learner_callable(cur):
                    setattr(sys, k, v)
                    out.append(f"sys.{k} was replaced")
                else:
                    sys_hooks[k] = cur  # a library's hook: accept it
        cur = getattr(threading, "excepthook", None)
        if cur is not th_excepthook0 and _learner_callable(cur):
            threading.excepthook = th_excepthook0
            out.append("threading.excepthook was replaced")
        if sys.gettrace() is not trace0:
            sys.settrace(trace0)
            out.append("a trace function was set (sys.settrace)")
        if sys.getprofile() is not profile0:
            sys.setprofile(profile0)
            out.append("a profile function was set (sys.setprofile)")
        if getattr(threading, "_trace_hook", None) is not th_trace0:
            threading.settrace(th_trace0)
            out.append("threading.settrace was used")
        if getattr(threading, "_profile_hook", None) is not th_prof0:
            threading.setprofile(th_prof0)
            out.append("threading.setprofile was used")
        for f in [f for f in gc.callbacks if _learner_callable(f)]:
            gc.callbacks.remove(f)
            out.append("a gc callback was added by notebook code")
        for f in list(sys.meta_path):
            if not _has(meta_path0, f) and (learner_class(type(f)) or _learner_callable(
                    getattr(f, "find_spec", None))):
                sys.meta_path.remove(f)
                out.append("an import finder was added by notebook code")
        for num, (sname, h) in signals0.items():
            try:
                cur = signal.getsignal(num)
                if cur is not h and _learner_callable(cur):
                    signal.signal(num, h)
                    out.append(f"the {sname} handler was replaced")
            except Exception:
                pass
        try:
            if signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):
                signal.setitimer(signal.ITIMER_REAL, 0)
                out.append("an interval timer was armed")
        except Exception:
            pass
        # builtins
        bd = builtins.__dict__
        for k, v in builtins_snap.items():
            if bd.get(k, _missing) is not v:
                bd[k] = v
                out.append(f"builtins.{k} was replaced")
        # modules
        for name, (mod, mcls, snap, strict) in (() if light else mods.items()):
            if sys.modules.get(name) is not mod:
                sys.modules[name] = mod
                out.append(f"sys.modules['{name}'] was replaced")
            if type(mod) is not mcls:
                try:
                    mod.__class__ = mcls
                except TypeError:
                    pass
                out.append(f"the class of module {name} was changed")
            d = mod.__dict__
            for k, v in list(snap.items()):
                cur = d.get(k, _missing)
                if cur is not v and k != "__warningregistry__":
                    if not strict and not _from_learner(cur):
                        if cur is _missing:  # a library's own change: the new normal
                            del snap[k]
                        else:
                            snap[k] = cur
                        continue
                    d[k] = v
                    out.append(f"{name}.{k} was replaced")
            if strict:
                for k in ("__getattr__", "__getattribute__"):
                    if k in d and k not in snap:
                        del d[k]
                        out.append(f"{name}.{k} was added")
        for cls, snap in (() if light else classes.values()):
            d = cls.__dict__
            if len(d) == len(snap) and all(d.get(k, _missing) is v for k, v in snap.items()):
                continue
            lenient = not _in_roots(getattr(cls, "__module__", "") or "", _STRICT_ROOTS)
            for k, v in list(snap.items()):
                cur = d.get(k, _missing)
                if cur is not v and lenient and not _from_learner(cur):
                    if cur is _missing:
                        del snap[k]
                    else:
                        snap[k] = cur
                    continue
                if cur is not v:
                    try:
                        setattr(cls, k, v)
                    except (AttributeError, TypeError):
                        continue
                    out.append(f"{cls.__module__}.{cls.__qualname__}.{k} was replaced")
            for k in [k for k in d if k not in snap]:
                if k in ("__slotnames__", "__abstractmethods__") or k.startswith("_abc_"):
                    continue
                if lenient and not _from_learner(d[k]):
                    snap[k] = d[k]
                    continue
                try:
                    delattr(cls, k)
                except (AttributeError, TypeError):
                    continue
                out.append(f"{cls.__module__}.{cls.__qualname__}.{k} was added")
        for key, (fn, code, defaults, kwdefaults, cells) in (
            () if light else list(funcs.items())
        ):
            if (fn.__code__ is not code or fn.__defaults__ is not defaults) and not _in_roots(
                getattr(fn, "__module__", "") or "", _STRICT_ROOTS
            ) and not _is_learner_code(fn.__code__):
                funcs[key] = (fn, fn.__code__, fn.__defaults__, fn.__kwdefaults__, cells)
                continue
            if fn.__code__ is not code:
                fn.__code__ = code
                out.append(f"the code of {fn.__module__}.{fn.__qualname__} was replaced")
            if fn.__defaults__ is not defaults or fn.__kwdefaults__ is not kwdefaults:
                fn.__defaults__, fn.__kwdefaults__ = defaults, kwdefaults
                out.append(f"the defaults of {fn.__module__}.{fn.__qualname__} were replaced")
            if cells:
                for c, v in cells:
                    try:
                        cur = c.cell_contents
                    except ValueError:
                        cur = _missing
                    if cur is not v:
                        if v is _missing:
                            del c.cell_contents
                        else:
                            c.cell_contents = v
                        out.append(f"a closure variable of {fn.__module__}.{fn.__qualname__} "
                                   "was replaced")
        # shell
        for a, v in shell_objs.items():
            if getattr(ip, a, _missing) is not v and v is not _missing:
                setattr(ip, a, v)
                out.append(f"shell.{a} was replaced")
        for a, lst in shell_lists.items():
            cur = getattr(ip, a)
            if not _same(cur, lst):
                n_added = len([t for t in cur if not _has(lst, t)])
                cur[:] = lst
                what = "an AST transformer" if a == "ast_transformers" else "an input transformer"
                out.append(f"{what} was added" if n_added else f"{a} was changed")
        for a, lst in itm_lists.items():
            cur = getattr(itm, a, None)
            if cur is not None and not _same(cur, lst):
                getattr(itm, a)[:] = lst
                out.append("an input transformer was added")
        ab = getattr(ip.builtin_trap, "auto_builtins", None)
        if isinstance(ab, dict) and not (
                len(ab) == len(auto_builtins0)
                and all(ab.get(k, _missing) is v for k, v in auto_builtins0.items())):
            ab.clear()
            ab.update(auto_builtins0)
            out.append("the builtin trap was changed")
        for obj, desc, snap, plain in obj_dicts:
            d = vars(obj)
            for k, v in snap.items():
                if getattr(obj, k, _missing) is not v:
                    try:
                        setattr(obj, k, v)
                    except Exception:
                        d[k] = v
                    out.append(f"an attribute of {desc} ({k}) was replaced")
            for k in [k for k in d if k not in plain]:
                if callable(d[k]) or k.startswith("__"):
                    del d[k]
                    out.append(f"an attribute of {desc} ({k}) was added")
        for obj, desc, callables, snap in method_shadow:
            d = vars(obj)
            for k in callables:
                cur = d.get(k, _missing)
                want = snap.get(k, _missing)
                if cur is not want:
                    if want is _missing:
                        del d[k]
                    else:
                        d[k] = want
                    out.append(f"{desc}.{k} was replaced")
        # event callbacks: put back the ones that were removed
        cbs = ip.events.callbacks
        for ev, lst in callbacks0.items():
            cur = cbs.setdefault(ev, [])
            missing = [f for f in lst if not _has(cur, f)]
            if missing:
                for f in missing:
                    cur.insert(min(lst.index(f), len(cur)), f)
                out.append(f"a {ev} event callback was unregistered")

    # ---- learner objects -----------------------------------------------------------------------
    np_types = (numpy.ndarray, numpy.generic)
    builtin_types = (int, float, complex, str, bytes, bool, list, tuple, dict, set, frozenset)

    def learner_class(cls) -> bool:
        if not (cls.__flags__ & _HEAPTYPE):
            return False
        if cls.__module__ == "__main__":
            return True
        return any(isinstance(v, FunctionType) and _is_learner_code(v.__code__)
                   for v in vars(cls).values())

    def generated(fn) -> bool:  # dataclass-written __eq__ etc.
        code = getattr(fn, "__code__", None)
        return (isinstance(fn, FunctionType) and code.co_filename == "<string>"
                and "__create_fn__" in getattr(code, "co_qualname", fn.__qualname__))

    def suspicious(cls):
        dunders = set()
        base = None
        for c in cls.__mro__:
            if c is object:
                continue
            if learner_class(c):
                for k, v in vars(c).items():
                    if k in _SUSPECT_DUNDERS and v is not None and not generated(v):
                        dunders.add(k)
            elif base is None and issubclass(c, builtin_types + np_types):
                base = c
        return base, sorted(dunders)

    def plain_copy(v, base):
        """The builtin/numpy value inside a learner subclass instance, via the base's C code."""
        if base is str:
            return str.__str__(v)
        if base in (int, float, complex, bytes):
            return getattr(base, f"__{base.__name__}__")(v)
        if base is list:
            return list.copy(v)
        if base is tuple:
            return tuple.__getitem__(v, slice(None))
        if base in (dict, set, frozenset):
            return base.copy(v)
        if base is numpy.ndarray:
            return numpy.ndarray.view(v, numpy.ndarray)
        return _missing

    swapped: dict = {}  # name -> (learner object, plain copy) for the duration of a grade cell

    def scan_namespace(ns, out):
        cache = {}

        for name, v in list(ns.items()):
            if isinstance(v, type) and not name.startswith("_") and learner_class(v):
                base, dunders = suspicious(v)
                if dunders:
                    out.append(f"learner class {name} overrides {', '.join(dunders)}")

        def check(name, v):
            cls = type(v)
            if cls.__module__ in ("builtins",) or not (cls.__flags__ & _HEAPTYPE):
                return
            if id(cls) not in cache:
                cache[id(cls)] = suspicious(cls) if learner_class(cls) else (None, [])
            base, dunders = cache[id(cls)]
            if base is not None or dunders:
                parts = []
                if base is not None:
                    parts.append(f"subclassing {base.__module__}.{base.__qualname__}")
                if dunders:
                    parts.append("overriding " + ", ".join(dunders))
                msg = (f"answer {name} is an instance of learner class "
                       f"{cls.__qualname__} {' and '.join(parts)}")
                if base is not None and name in ns and ns[name] is v:
                    plain = plain_copy(v, base)
                    if plain is not _missing:
                        ns[name] = plain
                        swapped[name] = (v, plain)
                        msg += f" (a plain {base.__qualname__} during the test cell)"
                out.append(msg)

        for name, v in list(ns.items()):
            if (name.startswith("_") or name in ("In", "Out", "exit", "quit", "get_ipython")
                    or isinstance(v, (ModuleType, type, FunctionType))):
                continue
            check(name, v)
            if isinstance(v, (list, tuple, set, frozenset)) and len(v) <= 10000:
                for i, item in enumerate(v):
                    check(f"{name}[{i}]", item)
            elif isinstance(v, dict) and len(v) <= 10000:
                for key, item in list(v.items()):
                    check(f"{name}[{key!r}]", item)
                    check(f"{name} key {key!r}", key)

    def learner_threads(out):
        for t in threading.enumerate():
            if id(t) in threads0 or not t.is_alive():
                continue
            target = getattr(t, "_target", None)
            code = getattr(target, "__code__", None)
            if (code is not None and _is_learner_code(code)) or learner_class(type(t)):
                out.append(f"a thread started by notebook code is running ({t.name})")

    def resolve(dotted):
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            name = ".".join(parts[:i])
            if name in mods:
                if i == len(parts):
                    return mods[name][0]
                obj = mods[name][2].get(parts[i], _missing)
                try:
                    for p in parts[i + 1:]:
                        obj = getattr(obj, p)
                except Exception:
                    return _missing
                return obj
        return _missing

    hidden_builtins: dict = {}
    ns_at_load = dict(ip.user_ns)

    def fix_user_ns(out):
        ns = ip.user_ns
        if ns.get("__builtins__", builtins) is not builtins:
            ns["__builtins__"] = builtins
            out.append("__builtins__ in the notebook namespace was replaced")
        for name, dotted in pins.items():
            if name in ns:
                want = resolve(dotted)
                if want is not _missing and ns[name] is not want:
                    ns[name] = want
                    out.append(f"notebook name {name} was rebound (restored to {dotted})")
        for name in list(ns):
            if (name in builtins_snap and not name.startswith("_")
                    and ns_at_load.get(name, _missing) is not ns[name]):
                v = ns.pop(name)
                hidden_builtins.setdefault(name, v)
                if callable(v):
                    out.append(f"notebook name {name} shadows builtins.{name} (hidden during the "
                               "test cell)")

    def unhide_builtins():
        ns = ip.user_ns
        for name, v in hidden_builtins.items():
            ns.setdefault(name, v)
        hidden_builtins.clear()
        for name, (orig, plain) in swapped.items():
            if ns.get(name, _missing) is plain:
                ns[name] = orig
        swapped.clear()

    # ---- hooks ---------------------------------------------------------------------------------
    orig_transform_cell = ip.transform_cell  # bound method of the class, as loaded
    state = {"n": 0, "pending": None, "pending_found": [], "stashed_cb": {},
             "cfg": cfg_problem, "expected": None}
    pre_events = ("pre_execute", "pre_run_cell")

    def isolate_callbacks():
        """Run only the load-time pre_execute/pre_run_cell callbacks for a grade cell (ours last)."""
        cbs = ip.events.callbacks
        for ev in pre_events:
            cur = cbs.get(ev, [])
            extra = [f for f in cur if f not in callbacks0.get(ev, [])]
            if extra:
                state["stashed_cb"][ev] = extra
            cur[:] = [f for f in callbacks0.get(ev, []) if f is not pre_run_cell]
        cbs["pre_run_cell"].append(pre_run_cell)

    def check_grade_cell():
        t0 = time.perf_counter()
        snap_new_modules()
        found: list = list(first_sight)
        first_sight.clear()
        for step in (restore_all, fix_user_ns, lambda out: scan_namespace(ip.user_ns, out),
                     learner_threads):
            try:
                step(found)
            except Exception as e:  # never break the kernel; say so in the report
                found.append(f"guard error before the test cell: {type(e).__name__}: {e}")
        isolate_callbacks()
        _COSTS.append(time.perf_counter() - t0)
        return found

    def guarded_transform_cell(raw_cell, *args, **kwargs):
        try:
            sha = grade_cell_hash(raw_cell) if isinstance(raw_cell, str) else None
        except Exception:
            sha = None
        if sha is not None and sha in grade_hashes:
            # ipykernel transforms once in do_execute and, on its synchronous path, again in
            # run_cell: keep what the first pass found until pre_run_cell consumes it
            if state["pending"] != sha:
                state["pending_found"] = []
            try:
                if state["pending"] == sha:  # second pass: the light check is enough
                    t0 = time.perf_counter()
                    restore_all(state["pending_found"], light=True)
                    isolate_callbacks()
                    _COSTS.append(time.perf_counter() - t0)
                else:
                    state["pending_found"] += check_grade_cell()
            except Exception as e:
                state["pending_found"].append(
                    f"guard error before transform: {type(e).__name__}: {e}")
            state["pending"] = sha
            out = orig_transform_cell(raw_cell, *args, **kwargs)
            state["expected"] = out
            return out
        return orig_transform_cell(raw_cell, *args, **kwargs)

    guarded_transform_cell.__wrapped__ = orig_transform_cell
    guarded_transform_cell._offrl_guard = True

    def pre_run_cell(info=None):
        raw = getattr(info, "raw_cell", None)
        if not isinstance(raw, str):
            return
        sha = grade_cell_hash(raw)
        if sha not in grade_hashes:
            snap_new_modules()  # first sight of lazily imported guarded modules
            return
        found = []
        if state["pending"] != sha:
            found.append("guard bypassed: the test cell was not transformed by the guard")
            state["expected"] = None
        else:
            found.extend(state["pending_found"])
        state["pending"] = None
        again: list = []
        t0 = time.perf_counter()
        try:
            restore_all(again, light=state["expected"] is not None)
            fix_user_ns(again)
        except Exception as e:
            again.append(f"guard error before the test cell: {type(e).__name__}: {e}")
        if again:
            found.append("tampering between transform and run (restored again)")
            found.extend(x for x in again if x not in found)
        if state["cfg"]:
            found.insert(0, state["cfg"])
            state["cfg"] = None
        # the code about to run must be what the original transformers make of the source
        altered = False
        transformed = getattr(info, "transformed_cell", None)
        try:
            expected = orig_transform_cell(raw) if state["expected"] is None else state["expected"]
        except Exception:
            expected = None
        state["expected"] = None
        if transformed is not None and expected is not None and transformed != expected:
            altered = True
            found.append("the test cell's code was altered before it ran")
        seen = set()
        found = [x for x in found if not (x in seen or seen.add(x))]
        _COSTS.append(time.perf_counter() - t0)
        state["n"] += 1
        ip.display_pub.publish(data={GUARD_MIME: {"cell": sha, "tampered": found,
                                                  "n": state["n"]}}, metadata={})
        if altered:
            raise RuntimeError("grading guard: this test cell's code was altered before it ran")

    def post_run_cell(result=None):
        unhide_builtins()
        cbs = ip.events.callbacks
        for ev, extra in state["stashed_cb"].items():
            cur = cbs.setdefault(ev, [])
            cur.extend(f for f in extra if f not in cur)
        state["stashed_cb"] = {}
        snap_new_modules()

    ip.transform_cell = guarded_transform_cell
    ip.events.register("pre_run_cell", pre_run_cell)
    ip.events.register("post_run_cell", post_run_cell)
    # the hooks themselves are part of the snapshot
    callbacks0 = {ev: list(cbs) for ev, cbs in ip.events.callbacks.items()}
    for obj, desc, callables, snap in method_shadow:
        if obj is ip:
            snap["transform_cell"] = guarded_transform_cell
    ip._offrl_guard_loaded = True
    _COSTS.insert(0, time.perf_counter() - t_start)


# Measured costs (seconds): [load, then one entry per grade-cell check]. Informational only;
# nothing in the guard reads it back, so rewriting it fakes measurements, not reports.
_COSTS: list = []


def unload_ipython_extension(ip) -> None:
    """Unloading is not supported: a guard that can be switched off guards nothing."""
