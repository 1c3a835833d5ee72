package io.lore.ui.tests;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.ui.handlers.RadioState;

/** Records how the stand-in of CDT's Reverse Debugging toggle was executed (radio state asked for). */
public final class StandInReverseToggle extends AbstractHandler {
    static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @Override
    public Object execute(ExecutionEvent event) {
        CALLS.add(event.getParameter(RadioState.PARAMETER_ID));
        return null;
    }
}
