"""``%config OVNotebook.<option>=...``: the magics' defaults, as a traitlets Configurable.

    %config OVNotebook                  # lists the options with their help
    %config OVNotebook.topk = 3
    %config OVNotebook.compress_to_fp16 = False
"""
from __future__ import annotations

from traitlets import Bool, CaselessStrEnum, Float, Int, TraitError, Unicode, validate
from traitlets.config import Configurable

__all__ = ["OVNotebook"]


class OVNotebook(Configurable):
    """Options of the ``%convert`` and ``%infer`` magics."""

    topk = Int(5, help="Rows in the top-k tables of classifier outputs.").tag(config=True)
    runs = Int(10, help="Timed runs per side for latency (after one warm-up run).").tag(config=True)
    threads = Int(0, help="Threads for both PyTorch and the converted model when timing; 0: "
                          "PyTorch's current setting.").tag(config=True)
    atol = Float(1e-4, help="Absolute tolerance of the pass/fail verdict.").tag(config=True)
    rtol = Float(1e-3, help="Relative tolerance (times the largest PyTorch magnitude of the "
                            "output) of the pass/fail verdict.").tag(config=True)
    graph_depth = Int(-1, help="Module depth the graph view opens at; -1: the deepest that keeps "
                               "graph_node_budget boxes.").tag(config=True)
    graph_node_budget = Int(300, help="Most boxes the graph view draws by "
                                      "default.").tag(config=True)
    graph_timeout = Float(10.0, help="Seconds `dot` may take before the graph view collapses "
                                     "to a shallower depth.").tag(config=True)
    compress_to_fp16 = Bool(True, help="`%convert --save` compresses weights to f16, as "
                                       "ovc and save_model do.").tag(config=True)
    progress = CaselessStrEnum(["auto", "on", "off"], "auto",
                               help="Progress bars: auto shows them in interactive sessions only "
                                    "(not in nbclient/nbval runs).").tag(config=True)
    widgets = CaselessStrEnum(["auto", "on", "off"], "auto",
                              help="The interactive graph widget beside the static graph image: "
                                   "auto shows it where a person watches (not in nbclient/nbval "
                                   "runs).").tag(config=True)
    plot_points = Int(20000, help="Most points drawn in the converted-vs-PyTorch scatter "
                                  "plot.").tag(config=True)
    explorer_proxy = Unicode("auto", help="How the browser reaches Model Explorer (ov.explore, "
                                          "%convert --explorer): auto goes through "
                                          "jupyter-server-proxy under JupyterHub/Binder or a "
                                          "Jupyter server that has it, else direct; on, off "
                                          "(http://127.0.0.1:<port>/), or the Jupyter server's "
                                          "base URL such as /user/me/.").tag(config=True)

    @validate("explorer_proxy")
    def _check_explorer_proxy(self, proposal):
        value = proposal["value"]
        if value not in ("auto", "on", "off") and not value.startswith("/"):
            raise TraitError(f"OVNotebook.explorer_proxy must be auto, on, off or a base URL "
                             f"starting with / (such as /user/me/); got {value!r}")
        return value
