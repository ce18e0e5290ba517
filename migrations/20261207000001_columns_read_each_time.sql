-- A user's chosen columns are no longer kept in the instances' memory: the user who
-- changes them must see the change on the next page whichever instance serves it, so
-- they are read each time (docs/ARCHITECTURE.md, "What is cached"). Nothing listens
-- for their changes any more.
DROP TRIGGER columns_changed ON user_display_settings;
