"""Analytics of LegalAid Chat: business goals next to model accuracy, and a cost-based threshold.

Modules:
- `data`: reads the tracker store (conversations, messages, slot events) and the leads table.
- `business`: business metrics (conversations, containment, handoffs, leads, consent, conversion, feedback).
- `model_metrics`: accuracy / macro-F1 / per-topic scores on reviewed labels, confidence histogram, calibration.
- `threshold`: the threshold advisor (expected value of each confidence threshold under a cost model).
- `drift`: weekly topic mix and mean confidence against a baseline period.
- `labels`: where reviewed (gold) labels come from (the staff NLU inbox, or a file).
- `charts`: matplotlib figures (Agg) shared by the markdown report and the admin dashboard.
- `report`: `python -m analytics.report --out DIR` (markdown + PNG charts).
"""
