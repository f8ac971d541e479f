"""The public chat API: the widget's only way in, forwarding to Rasa's REST channel."""
