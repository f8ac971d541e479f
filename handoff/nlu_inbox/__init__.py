"""The NLU inbox: staff review logged user messages and label them; the labels retrain the NLU.

- `models`: the label table (`nlu_labels`) and an index of the tracker store's user messages
  (`nlu_inbox_messages`: event id, prediction, confidence; no message text);
- `service`: syncing the index, listing with filters, labelling (single and bulk), export rows;
- `jobs`: starting `scripts/retrain.py` in the background and reading its progress and the model registry;
- `router`: the admin pages /admin/inbox and /admin/models.
"""
