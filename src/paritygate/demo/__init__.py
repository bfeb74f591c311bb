"""The bundled demo stack: two independent implementations of validatord (see docs/validatord.md).

``tagged`` (Starlette + uvicorn) answers errors as a serde-style externally tagged enum;
``flat`` (aiohttp) answers them as a Go-style struct with exported fields. The two
modules share no validation code on purpose: the demo exists to show drift.
"""
