"""The loop's rules that decide without writing: who sees a case (visibility), who may take
which step and which steps a screen offers (authority, actions), deadlines (sla) and which unit
a new case goes to (unit_routing). Services and selectors both read them; they import no
service."""
