/** Sentences the web app says in more than one place, kept in one. */

/** A customer's orders could not be fetched because the order system did not answer. */
export const ORDERS_UNAVAILABLE = "We can't load your orders right now; try again in a minute.";
